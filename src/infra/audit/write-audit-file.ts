import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, brotliCompressSync, constants } from 'node:zlib'

const compressAsync = promisify(brotliCompress)

export const AUDIT_FILE_MODE = 0o600
export const AUDIT_DIR_MODE = 0o700

function brotliOptions(quality: number, sizeHint: number) {
  return {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: Math.max(0, Math.min(11, Math.round(quality))),
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint,
      // A window sized to the record: the default 4 MiB window costs milliseconds per small record.
      [constants.BROTLI_PARAM_LGWIN]: Math.max(
        constants.BROTLI_MIN_WINDOW_BITS,
        Math.min(constants.BROTLI_DEFAULT_WINDOW, Math.ceil(Math.log2(sizeHint + 1))),
      ),
    },
  }
}

/** Brotli on the libuv thread pool, so the event loop only pays for the hand-off. */
export function compressAudit(json: Buffer, quality: number): Promise<Buffer> {
  return compressAsync(json, brotliOptions(quality, json.length))
}

const tempName = (file: string): string => `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`

/**
 * Writes `data` to `file` atomically (temp file created exclusively with mode 0600, then renamed), so a
 * reader never sees half a record and a second write of the same id replaces the first. Day folders are
 * created with mode 0700; `knownDirs` remembers them to save a syscall per record.
 */
export async function writeAuditFile(file: string, data: Buffer, knownDirs?: Set<string>): Promise<void> {
  const dir = path.dirname(file)
  if (!knownDirs?.has(dir)) {
    await mkdir(dir, { recursive: true, mode: AUDIT_DIR_MODE })
    knownDirs?.add(dir)
  }
  const tmp = tempName(file)
  try {
    await writeFile(tmp, data, { mode: AUDIT_FILE_MODE, flag: 'wx' })
  } catch (error) {
    // The folder may have been removed since it was cached (retention, an operator): create it once more.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    knownDirs?.delete(dir)
    await mkdir(dir, { recursive: true, mode: AUDIT_DIR_MODE })
    knownDirs?.add(dir)
    await writeFile(tmp, data, { mode: AUDIT_FILE_MODE, flag: 'wx' })
  }
  try {
    await rename(tmp, file)
  } catch (error) {
    await rm(tmp, { force: true })
    throw error
  }
}

/** Last-resort path: compress and write on the calling thread. Used only when no queue can take the record. */
export function writeAuditFileSync(file: string, json: Buffer, quality: number): void {
  const data = brotliCompressSync(json, brotliOptions(quality, json.length))
  mkdirSync(path.dirname(file), { recursive: true, mode: AUDIT_DIR_MODE })
  const tmp = tempName(file)
  writeFileSync(tmp, data, { mode: AUDIT_FILE_MODE, flag: 'wx' })
  try {
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, { force: true })
    throw error
  }
}
