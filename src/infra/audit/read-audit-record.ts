import { open } from 'node:fs/promises'
import { promisify } from 'node:util'
import { brotliDecompress } from 'node:zlib'
import type { AuditRecord } from './audit-record.ts'
import { isSafeRequestId, resolveAuditPath, shiftedDayFolder } from './resolve-audit-path.ts'

const decompress = promisify(brotliDecompress)

/** A file exists but is corrupt, too large or not a record: a per-record error, not a missing record. */
export class AuditRecordUnreadableError extends Error {
  constructor(
    message: string,
    readonly requestId: string,
  ) {
    super(message)
    this.name = 'AuditRecordUnreadableError'
  }
}

export interface ReadAuditOptions {
  /** Cap on the decompressed size (a small file may expand hugely). Default 64 MiB. */
  maxBytes?: number
}

async function readSmallFile(file: string, maxBytes: number, requestId: string): Promise<Buffer | null> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw error
  }
  try {
    const info = await handle.stat()
    // Empty: the writer has created the file and not yet written it (records are written in one call).
    if (!info.isFile() || info.size === 0) return null
    if (info.size > maxBytes)
      throw new AuditRecordUnreadableError('audit record file is too large', requestId)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/**
 * The record of `requestId`, looked up in the day folder of `createdAt` (UTC) and then the previous and next
 * days (a request can straddle midnight, or the caller's date can come from another clock); null when there
 * is none. The id is validated before any path is built, so `../` never reaches the file system. Corrupt,
 * oversized or mismatched files throw `AuditRecordUnreadableError`.
 */
export async function readAuditRecord(
  dir: string,
  requestId: string,
  createdAt: Date,
  options: ReadAuditOptions = {},
): Promise<AuditRecord | null> {
  if (!isSafeRequestId(requestId) || !(createdAt instanceof Date) || Number.isNaN(createdAt.getTime()))
    return null
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
  for (const offset of [0, -1, 1]) {
    const file = resolveAuditPath(dir, requestId, shiftedDayFolder(createdAt, offset))
    if (!file) return null
    const data = await readSmallFile(file, maxBytes, requestId)
    if (!data) continue
    let parsed: unknown
    try {
      const json = await decompress(data, { maxOutputLength: maxBytes })
      parsed = JSON.parse(json.toString('utf8'))
    } catch {
      throw new AuditRecordUnreadableError('audit record is corrupt or larger than the read limit', requestId)
    }
    if (parsed === null || typeof parsed !== 'object' || (parsed as AuditRecord).request_id !== requestId) {
      throw new AuditRecordUnreadableError('audit file does not hold the requested record', requestId)
    }
    return parsed as AuditRecord
  }
  return null
}
