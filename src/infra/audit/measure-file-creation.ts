import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'

/**
 * A new small file costs 10–30 µs on a healthy local disk or tmpfs; far above it, the file system's cost dominates
 * what an audit record costs the gateway's core.
 */
export const SLOW_FILE_CREATION_US = 100

/**
 * p50 µs to create, write (`bytes`) and close a new file in a fresh folder under `parent`, as an audit writer does
 * for every record (SPEC §9). What this costs differs by two orders of magnitude between file systems, and on one
 * ext4 disk with its history (docs/performance.md › The data folder's file system). The folder is removed again.
 */
export function measureFileCreation(parent: string, files = 2000, bytes = 600): number {
  mkdirSync(parent, { recursive: true, mode: 0o700 })
  const dir = mkdtempSync(path.join(parent, '.file-probe-'))
  const data = Buffer.alloc(bytes, 97)
  const times = new Float64Array(files)
  try {
    for (let i = 0; i < files; i++) {
      const t0 = performance.now()
      const fd = openSync(path.join(dir, `record-${i}.json.br`), 'wx', 0o600)
      writeSync(fd, data)
      closeSync(fd)
      times[i] = (performance.now() - t0) * 1000
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  times.sort()
  return times[files >> 1]
}

/**
 * At start, when audit records are written: measures the audit folder with a few dozen files and warns when a new
 * file costs more than SLOW_FILE_CREATION_US, before the writers fall behind under load and records lose their
 * bodies (README › Metrics, `metadata_only`). Never throws: a folder that cannot be written is the writers' to report.
 */
export function warnIfAuditFolderIsSlow(
  dir: string,
  log: { warn: (obj: object, msg: string) => void },
  opts: { files?: number; slowUs?: number } = {},
): number | null {
  let us: number
  try {
    us = measureFileCreation(dir, opts.files ?? 64)
  } catch {
    return null
  }
  if (us > (opts.slowUs ?? SLOW_FILE_CREATION_US))
    log.warn(
      { dir, fileCreateMicros: Math.round(us) },
      'creating a file in the audit folder is slow: every audit record is a new file, so under load the writers ' +
        'take CPU from requests and records may lose their bodies; see docs/performance.md › The data folder’s file system',
    )
  return us
}
