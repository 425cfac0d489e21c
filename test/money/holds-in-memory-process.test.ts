import { describe, expect, it } from 'vitest'
import { startGateway } from '../e2e/support/gateway.ts'

// How `npm start` keeps its holds (docs/architecture.md, "Reservations in memory"), with the real entry point.
describe('a gateway process on SQLite and its holds', () => {
  it('WORKERS=1 holds in memory, and a second gateway on the same SQLite file is refused at start', async () => {
    const first = await startGateway({ LOG_LEVEL: 'info' })
    try {
      expect(first.output()).toContain('reservations are held in memory')
      // A second single process, then a cluster's primary, on the same data folder: both stop with the reason.
      for (const workers of ['1', '2']) {
        const second = startGateway({ DATA_DIR: first.dataDir, WORKERS: workers, LOG_LEVEL: 'info' })
        await expect(second).rejects.toThrow(
          /exited early \(1\)[\s\S]*keeps the reservations of .* in its memory/,
        )
      }
      const health = await fetch(`${first.url}/health`)
      expect(health.status).toBe(200)
    } finally {
      await first.stop()
    }
  }, 120_000)

  it('a single process started beside a running cluster keeps its holds in the rows, with a warning', async () => {
    const cluster = await startGateway({ WORKERS: '2', LOG_LEVEL: 'info' })
    try {
      const single = await startGateway({ DATA_DIR: cluster.dataDir, WORKERS: '1', LOG_LEVEL: 'info' })
      try {
        expect(single.output()).toContain('reservations stay in the database')
        expect(single.output()).not.toContain('reservations are held in memory')
      } finally {
        await single.stop()
      }
    } finally {
      await cluster.stop()
    }
  }, 120_000)
})
