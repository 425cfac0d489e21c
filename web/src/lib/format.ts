/** Formatting helpers shared by the pages. */

/**
 * The one money format of the dashboard: two decimals from $1 up ($30.00, $1,234.50), and below $1 three
 * significant digits with at least two decimals ($0.50, $0.125, $0.00721), so a cost of a fraction of a cent
 * still shows. Amounts are computed from integer nano-USD on the server; this only displays them.
 */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-'
  const abs = Math.abs(v)
  const digits = abs > 0 && abs < 1 ? Math.min(9, Math.max(2, 2 - Math.floor(Math.log10(abs)))) : 2
  const text = abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits })
  return `${v < 0 ? '-' : ''}$${text}`
}

/** Kept for pages that asked for fixed decimals: the dashboard has one money format (see `usd`). */
export function usdFixed(v: number | null | undefined): string {
  return usd(v)
}

/**
 * Evenly spaced axis ticks from 0: a step of 1, 2 or 5 times a power of ten, whole numbers when the values are
 * counts, about `count` steps up to the first tick at or above `max`.
 */
export function niceTicks(max: number, count = 4, integer = false): number[] {
  const target = max > 0 ? max / count : 1
  const exp = Math.pow(10, Math.floor(Math.log10(target)))
  const f = target / exp
  let step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * exp
  if (integer) step = Math.max(1, Math.round(step))
  const steps = Math.max(1, Math.ceil(max / step - 1e-9))
  // Rounded to the step's own precision so 0.1 * 3 does not print as 0.30000000000000004.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)))
  return Array.from({ length: steps + 1 }, (_, i) => Number((i * step).toFixed(decimals)))
}

export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-'
  return v.toLocaleString('en-US')
}

export function compact(v: number): string {
  const abs = Math.abs(v)
  if (abs >= 1e9) return `${(v / 1e9).toFixed(1)}B`
  if (abs >= 1e6) return `${(v / 1e6).toFixed(1)}M`
  if (abs >= 1e3) return `${(v / 1e3).toFixed(1)}K`
  return String(Math.round(v * 100) / 100)
}

function pad(n: number): string {
  return String(n).padStart(2, '0')
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '-'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

export function dateOnly(iso: string | null | undefined): string {
  if (!iso) return '-'
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** Local calendar day `YYYY-MM-DD` of a Date. */
export function localDay(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** `[start, end]` local days covering the last `n` days including today. */
export function lastDays(n: number, now = new Date()): [string, string] {
  const start = new Date(now)
  start.setDate(start.getDate() - (n - 1))
  return [localDay(start), localDay(now)]
}

/** Local-day bounds as UTC ISO timestamps (what the stats endpoints take). */
export function dayBoundsIso(startDay: string, endDay: string): { start_at: string; end_at: string } {
  const [sy, sm, sd] = startDay.split('-').map(Number)
  const [ey, em, ed] = endDay.split('-').map(Number)
  const start = new Date(sy, sm - 1, sd, 0, 0, 0, 0)
  const end = new Date(ey, em - 1, ed, 23, 59, 59, 999)
  return { start_at: start.toISOString(), end_at: end.toISOString() }
}

/** Every local day from start to end inclusive. */
export function daysBetween(startDay: string, endDay: string): string[] {
  const [sy, sm, sd] = startDay.split('-').map(Number)
  const [ey, em, ed] = endDay.split('-').map(Number)
  const out: string[] = []
  const d = new Date(sy, sm - 1, sd)
  const end = new Date(ey, em - 1, ed)
  while (d <= end && out.length < 400) {
    out.push(localDay(d))
    d.setDate(d.getDate() + 1)
  }
  return out
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

export type WindowUnit = 'second' | 'minute' | 'hour' | 'day'

/** Split seconds into the largest whole unit. */
export function splitWindow(sec: number): { n: number; unit: WindowUnit } {
  if (sec > 0 && sec % 86400 === 0) return { n: sec / 86400, unit: 'day' }
  if (sec > 0 && sec % 3600 === 0) return { n: sec / 3600, unit: 'hour' }
  if (sec > 0 && sec % 60 === 0) return { n: sec / 60, unit: 'minute' }
  return { n: sec, unit: 'second' }
}

export const unitSeconds: Record<WindowUnit, number> = { second: 1, minute: 60, hour: 3600, day: 86400 }

export function maskKey(prefix: string | null | undefined): string {
  if (!prefix) return '-'
  return `${prefix}…`
}

/** A date-picker value (`YYYY-MM-DD`) as the end of that day, UTC ISO. */
export function endOfDayIso(day: string): string {
  const [y, m, d] = day.split('-').map(Number)
  return new Date(y, m - 1, d, 23, 59, 59).toISOString()
}
