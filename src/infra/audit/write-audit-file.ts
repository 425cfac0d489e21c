import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants } from 'node:zlib'

export const AUDIT_FILE_MODE = 0o600
export const AUDIT_DIR_MODE = 0o700

/**
 * Brotli settings for one record of `size` bytes, as plain numbers: the writer threads cannot import this module,
 * so they receive these with each record and apply them as they are.
 */
export interface BrotliSettings {
  quality: number
  /** A window sized to the record: the default 4 MiB window costs milliseconds per small record. */
  lgwin: number
  /** An output buffer sized to the record instead of the default 16 KiB, allocated (and collected) per call. */
  chunkSize: number
}

export function brotliSettings(quality: number, size: number): BrotliSettings {
  return {
    quality: Math.max(0, Math.min(11, Math.round(quality))),
    lgwin: Math.max(
      constants.BROTLI_MIN_WINDOW_BITS,
      Math.min(constants.BROTLI_DEFAULT_WINDOW, Math.ceil(Math.log2(size + 1))),
    ),
    chunkSize: Math.max(64, Math.min(size + 64, 65536)),
  }
}

function brotliOptions(size: number, settings: BrotliSettings) {
  return {
    chunkSize: settings.chunkSize,
    params: {
      [constants.BROTLI_PARAM_QUALITY]: settings.quality,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: size,
      [constants.BROTLI_PARAM_LGWIN]: settings.lgwin,
    },
  }
}

const tempName = (file: string): string => `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`

/** Last-resort path: compress and write on the calling thread. Used only when no queue can take the record. */
export function writeAuditFileSync(file: string, json: Buffer, quality: number): void {
  const data = brotliCompressSync(json, brotliOptions(json.length, brotliSettings(quality, json.length)))
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
