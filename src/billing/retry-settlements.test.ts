import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEmptyUsage } from '../protocol/usage/usage.ts'
import { createSettlementRetry } from './retry-settlements.ts'
import { createSettlementJournal, readSettlementJournals } from './settlement-journal.ts'
import { readSettlementStats } from './settlement-stats.ts'
import type { Settlement } from './settlement.ts'

const settlement = (requestId: string): Settlement => ({
  requestId,
  keyId: 'k',
  username: 'alice',
  channelId: null,
  groupId: null,
  protocol: 'openai',
  endpoint: 'chat',
  model: 'm',
  upstreamModel: null,
  usage: createEmptyUsage(),
  usageSource: 'reported',
  status: 200,
  errorCode: null,
  isStream: false,
  durationMs: 1,
  ttftMs: null,
  costNano: 1500n,
  coveredByPackage: false,
  reserved: false,
  createdAt: 1,
})

describe('settlement retry', () => {
  let dir = ''
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('sends a settlement refused after it stopped straight to disk for the next start, never counting it as waiting', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'retry-'))
    const warnings: string[] = []
    const logger = { warn: (_o: object, m: string) => warnings.push(m), error: () => {}, info: () => {} }
    const refused = new Error('database is locked')
    const retry = createSettlementRetry({
      write: () => Promise.reject(refused),
      journal: createSettlementJournal(dir),
      logger,
    })
    const before = readSettlementStats()
    expect(retry.stop()).toBe(0)
    // A settlement still in flight when the gateway stopped, refused afterwards.
    retry.add(settlement('late-1'), refused)
    const after = readSettlementStats()
    expect(after.pending).toBe(before.pending)
    expect(after.leftForNextStart).toBe(before.leftForNextStart + 1)
    expect(retry.size()).toBe(0)
    // On disk at once (synced), with its money, for the next start to write.
    const journals = readSettlementJournals(dir)
    expect(journals.flatMap((j) => j.settlements.map((s) => [s.requestId, s.costNano]))).toEqual([
      ['late-1', 1500n],
    ])
    expect(warnings).toContain(
      'settlement refused by the database while the gateway stops; it lands at the next start',
    )
  })
})
