import path from 'node:path'

/** The audit folder under the data folder: `DATA_DIR/sessions` (SPEC §9). */
export const auditDir = (dataDir: string): string => path.join(dataDir, 'sessions')

const REQUEST_ID = /^[A-Za-z0-9_-]{1,128}$/
const DAY_FOLDER = /^(\d{4})_(\d{2})_(\d{2})$/
const DAY_MS = 86_400_000

/** The only ids that may become file names: no dots, no slashes, nothing that could leave the folder. */
export function isSafeRequestId(id: unknown): id is string {
  return typeof id === 'string' && REQUEST_ID.test(id)
}

/** `YYYY_MM_DD` of the UTC date of `at`. */
export function dayFolderName(at: Date): string {
  const y = String(at.getUTCFullYear()).padStart(4, '0')
  const m = String(at.getUTCMonth() + 1).padStart(2, '0')
  const d = String(at.getUTCDate()).padStart(2, '0')
  return `${y}_${m}_${d}`
}

/** Milliseconds of UTC midnight of a `YYYY_MM_DD` folder name, or null when the name is not a real date. */
export function parseDayFolderName(name: string): number | null {
  const m = DAY_FOLDER.exec(name)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const ms = Date.UTC(y, mo - 1, d)
  const back = new Date(ms)
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null
  return ms
}

/** The day folder of `at`, shifted by `offsetDays`. */
export function shiftedDayFolder(at: Date, offsetDays: number): string {
  return dayFolderName(new Date(at.getTime() + offsetDays * DAY_MS))
}

/**
 * `{dir}/{YYYY_MM_DD}/{id}.json.br`, or null when the id is unsafe. The result is checked to lie inside
 * `dir` as a second line of defence.
 */
export function resolveAuditPath(dir: string, requestId: string, day: string): string | null {
  if (!isSafeRequestId(requestId) || parseDayFolderName(day) === null) return null
  const root = path.resolve(dir)
  const file = path.resolve(root, day, `${requestId}.json.br`)
  if (!file.startsWith(root + path.sep)) return null
  return file
}
