import { fork } from 'node:child_process'
import type { Worker } from 'node:cluster'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/infra/clock.ts'
import { createRateLimiter } from '../../src/infra/rate-limit/create-rate-limiter.ts'
import { createRateLimiterService } from '../../src/infra/cluster/create-ipc-rate-limiter.ts'

describe('the primary-owned rate limiter over IPC', () => {
  it('decides exactly as one limiter would, with the calls of one turn sent as one message', async () => {
    const limiter = createRateLimiter({ clock: systemClock })
    const child = fork(path.join(import.meta.dirname, 'workers-ipc-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      env: { PATH: process.env.PATH, ADMISSIONS: '200' },
    })
    let messages = 0
    child.on('message', () => messages++)
    // The service needs only what a cluster worker and a forked child share.
    const worker = Object.assign(child, { isConnected: () => child.connected }) as unknown as Worker
    createRateLimiterService(limiter).serve(worker)
    const report = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.on('message', (m: { admitted?: number }) => {
        if (m.admitted !== undefined) resolve(m as Record<string, unknown>)
      })
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`the child exited (${code})`)))
    })
    child.kill()
    // 200 admissions at once against a limit of 50: 50 in, whatever the interleaving.
    expect(report.admitted).toBe(50)
    expect(report.usage).toBe(50)
    expect(report.leases).toEqual([true, false, true])
    // 200 admissions, 50 settlements and 4 lease calls, a usage query and the report: batched into a handful.
    expect(messages).toBeLessThan(20)
    await limiter.close()
  }, 60_000)
})
