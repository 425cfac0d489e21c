import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { brotliCompressSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAuditWriter } from './create-audit-writer.ts'
import { makeTestAuditRecord } from '../../../test/support/make-test-audit-record.ts'
import { AuditRecordUnreadableError, readAuditRecord } from './read-audit-record.ts'
import { dayFolderName, isSafeRequestId, parseDayFolderName, resolveAuditPath } from './resolve-audit-path.ts'

let root: string
let dir: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'audit-read-'))
  dir = path.join(root, 'sessions')
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('resolveAuditPath', () => {
  it('accepts only plain ids and real day folders, and stays inside the folder', () => {
    expect(isSafeRequestId('0b7c6a2e-1f2d-4c3b-9a8e-123456789abc')).toBe(true)
    expect(isSafeRequestId('a_B-9')).toBe(true)
    for (const bad of ['../etc/passwd', 'a/b', '..', '.', '', 'a.b', 'a b', 'x'.repeat(129), 'é', 7, null]) {
      expect(isSafeRequestId(bad)).toBe(false)
    }
    expect(resolveAuditPath('/data/sessions', 'abc', '2024_01_02')).toBe(
      '/data/sessions/2024_01_02/abc.json.br',
    )
    expect(resolveAuditPath('/data/sessions', '../x', '2024_01_02')).toBeNull()
    expect(resolveAuditPath('/data/sessions', 'abc', '../2024_01_02')).toBeNull()
    expect(parseDayFolderName('2024_02_30')).toBeNull()
    expect(parseDayFolderName('2024_02_29')).toBe(Date.UTC(2024, 1, 29))
    expect(dayFolderName(new Date('2024-03-04T23:59:59.999Z'))).toBe('2024_03_04')
  })
})

describe('readAuditRecord', () => {
  it('reads back what the writer wrote', async () => {
    const writer = createAuditWriter({ dir, consumers: 1, mode: 'full' })
    const record = makeTestAuditRecord('round-trip', { created_at: '2024-05-06T23:59:59.000Z' })
    writer.enqueue(record)
    await writer.drain(10_000)
    expect(await readAuditRecord(dir, 'round-trip', new Date('2024-05-06T23:59:59.000Z'))).toEqual(record)
  })

  it('finds a record in the next or previous day folder', async () => {
    const writer = createAuditWriter({ dir, consumers: 1, mode: 'full' })
    writer.enqueue(makeTestAuditRecord('straddle', { created_at: '2024-05-07T00:00:01.000Z' }))
    await writer.drain(10_000)
    expect((await readAuditRecord(dir, 'straddle', new Date('2024-05-06T23:59:58Z')))?.request_id).toBe(
      'straddle',
    )
    expect((await readAuditRecord(dir, 'straddle', new Date('2024-05-08T10:00:00Z')))?.request_id).toBe(
      'straddle',
    )
    expect(await readAuditRecord(dir, 'straddle', new Date('2024-05-10T10:00:00Z'))).toBeNull()
  })

  it('returns null for unknown or unsafe ids and bad dates, touching nothing outside the folder', async () => {
    await mkdir(path.join(dir, '2024_05_06'), { recursive: true })
    // A record planted outside the folder must never be reachable.
    await writeFile(
      path.join(root, 'secret.json.br'),
      brotliCompressSync(JSON.stringify({ request_id: 'x' })),
    )
    const at = new Date('2024-05-06T12:00:00Z')
    expect(await readAuditRecord(dir, 'missing', at)).toBeNull()
    for (const bad of ['../secret', '../../secret', 'a/b', '..', '', '%2e%2e%2fsecret']) {
      expect(await readAuditRecord(dir, bad, at)).toBeNull()
    }
    expect(await readAuditRecord(dir, 'missing', new Date('nope'))).toBeNull()
    expect(await readAuditRecord(path.join(root, 'absent'), 'missing', at)).toBeNull()
  })

  it('reports a corrupt, oversized or mismatched file as unreadable', async () => {
    const day = path.join(dir, '2024_05_06')
    await mkdir(day, { recursive: true })
    const at = new Date('2024-05-06T12:00:00Z')
    await writeFile(path.join(day, 'corrupt.json.br'), Buffer.from('not brotli at all'))
    await expect(readAuditRecord(dir, 'corrupt', at)).rejects.toThrow(/corrupt or larger than the read limit/)
    // 4 MiB of zeros compresses to a few bytes: a small file that expands far beyond the limit.
    await writeFile(path.join(day, 'bomb.json.br'), brotliCompressSync(Buffer.alloc(4 * 1024 * 1024, 0x20)))
    const bomb = readAuditRecord(dir, 'bomb', at, { maxBytes: 64 * 1024 })
    await expect(bomb).rejects.toBeInstanceOf(AuditRecordUnreadableError)
    await expect(bomb).rejects.toThrow(/corrupt or larger than the read limit/)
    await writeFile(
      path.join(day, 'other.json.br'),
      brotliCompressSync(JSON.stringify({ request_id: 'someone-else' })),
    )
    await expect(readAuditRecord(dir, 'other', at)).rejects.toThrow(/does not hold the requested record/)
    await writeFile(path.join(day, 'big.json.br'), Buffer.alloc(2048))
    await expect(readAuditRecord(dir, 'big', at, { maxBytes: 1024 })).rejects.toThrow(/too large/)
  })
})
