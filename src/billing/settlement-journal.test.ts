import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readSettlementJournals } from './settlement-journal.ts'

describe('settlement journal', () => {
  let dir = ''
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('reads the key id of a journal written before it was called keyId', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'journal-'))
    const line = (id: Record<string, string>) =>
      JSON.stringify({ requestId: `r-${Object.values(id)[0]}`, username: 'alice', costNano: '1500', ...id })
    writeFileSync(
      path.join(dir, 'pending-settlements-1-1-aaaaaa.jsonl'),
      `${line({ tokenId: 'old-key' })}\n${line({ keyId: 'new-key' })}\n`,
    )
    const [journal] = readSettlementJournals(dir)
    expect(journal.settlements.map((s) => [s.keyId, s.costNano])).toEqual([
      ['old-key', 1500n],
      ['new-key', 1500n],
    ])
    expect(journal.settlements[0]).not.toHaveProperty('tokenId')
  })
})
