/** Formatting helpers shared by the pages. */

export function usd(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-'
  const abs = Math.abs(v)
  const d = abs !== 0 && abs < 0.01 ? Math.max(digits, 6) : digits
  return `$${v.toFixed(d).replace(/(\.\d*?[1-9])0+$|\.0+$/, '$1')}`
}

export function usdFixed(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-'
  return `$${v.toFixed(digits)}`
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
