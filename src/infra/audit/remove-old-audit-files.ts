import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { parseDayFolderName } from './resolve-audit-path.ts'

const DAY_MS = 86_400_000

/**
 * Deletes the `YYYY_MM_DD` day folders under `dir` whose every record is older than `retentionDays`
 * (a folder goes once its day ended `retentionDays` days before `now`). Anything else — files, symlinks,
 * other names, impossible dates — is left alone. `retentionDays <= 0` keeps everything. Returns the number
 * of folders removed; a folder that cannot be removed is skipped and retried on the next run.
 */
export async function removeOldAuditFiles(
  dir: string,
  retentionDays: number,
  now: Date,
  onError?: (error: unknown) => void,
): Promise<number> {
  if (!(retentionDays > 0) || !Number.isFinite(retentionDays)) return 0
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw error
  }
  const cutoff = now.getTime() - retentionDays * DAY_MS
  let removed = 0
  for (const entry of entries) {
    if (!entry.isDirectory()) continue
    const dayStart = parseDayFolderName(entry.name)
    if (dayStart === null || dayStart + DAY_MS > cutoff) continue
    try {
      await rm(path.join(dir, entry.name), { recursive: true, force: true })
      removed++
    } catch (error) {
      onError?.(error)
    }
  }
  return removed
}
