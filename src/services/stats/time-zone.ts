/**
 * IANA time zones for day bucketing, without a tz database in SQL.
 *
 * SQLite has no time zone data, so the offsets come from the JS runtime (ICU): for the span of the rows being
 * aggregated we compute the offset segments — maximal intervals of constant UTC offset, split exactly at each
 * transition (DST changes, historical changes) — and the SQL computes the local day of every row as
 * `(created_at + offset_of_its_segment) / 86400000`, the offset picked by a CASE over the segment starts
 * (see `offsetCaseSql`). The same SQL runs on SQLite and PostgreSQL, so both give identical buckets.
 */

export const DAY_MS = 86_400_000
const SCAN_STEP_MS = 6 * 3_600_000
const MAX_CACHED_FORMATTERS = 500

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    if (formatters.size >= MAX_CACHED_FORMATTERS) formatters.clear()
    formatters.set(timeZone, f)
  }
  return f
}

/** True for names the runtime knows (`UTC`, `Asia/Shanghai`, `America/New_York`, …). */
export function isValidTimeZone(name: string): boolean {
  if (name.length === 0 || name.length > 64) return false
  try {
    formatterFor(name)
    return true
  } catch {
    return false
  }
}

/** The zone's UTC offset in milliseconds at instant `t` (positive east of Greenwich). */
export function zoneOffsetMs(timeZone: string, t: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(t))
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? 0)
  const era = parts.find((p) => p.type === 'era')?.value
  const year = era === 'BC' || era === 'B' ? 1 - get('year') : get('year')
  const asUtc = new Date(0)
  asUtc.setUTCFullYear(year, get('month') - 1, get('day'))
  asUtc.setUTCHours(get('hour'), get('minute'), get('second'), 0)
  const wholeSecond = Math.floor(t / 1000) * 1000
  return asUtc.getTime() - wholeSecond
}

/** Days since 1970-01-01 of the local date of `t` in the zone. */
export function localDayNumber(timeZone: string, t: number): number {
  return Math.floor((t + zoneOffsetMs(timeZone, t)) / DAY_MS)
}

/** `YYYY-MM-DD` of a day number. */
export function dayNumberToDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/**
 * The instant at which the wall clock of the zone shows the given time. A wall time inside a DST gap maps to
 * the instant one gap later; an ambiguous one (the repeated hour) to its first occurrence.
 */
export function wallTimeToInstant(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms)
  const guess = wall - zoneOffsetMs(timeZone, wall)
  const refined = wall - zoneOffsetMs(timeZone, guess)
  if (refined === guess) return guess
  // Near a transition the two guesses differ: the earlier one that shows the wall time, else (a gap) the later.
  const [early, late] = guess < refined ? [guess, refined] : [refined, guess]
  if (early + zoneOffsetMs(timeZone, early) === wall) return early
  return late
}

/** Instant at which the local day `dayNumber` starts in the zone. */
export function startOfLocalDay(timeZone: string, dayNumber: number): number {
  const d = new Date(dayNumber * DAY_MS)
  return wallTimeToInstant(timeZone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate())
}

export interface OffsetSegment {
  /** First instant (epoch ms) of the segment; the first segment also covers everything before it. */
  start: number
  offsetMs: number
}

const transitionCache = new Map<string, OffsetSegment[]>()
const MAX_CACHED_YEARS = 5000

/**
 * The offset changes of a zone with an instant in (start of UTC year, start of next UTC year], each with
 * the offset that begins there; cached, since zones only change with a runtime (ICU) update. The year is
 * sampled every 6 hours and each change is located to the millisecond by bisection — zones change offset at
 * most a few times a year and never twice within 6 hours, so nothing is missed.
 */
function transitionsOfYear(timeZone: string, year: number): OffsetSegment[] {
  const key = `${timeZone}|${year}`
  const cached = transitionCache.get(key)
  if (cached) return cached
  const yearStart = Date.UTC(year, 0, 1)
  const yearEnd = Date.UTC(year + 1, 0, 1)
  const found: OffsetSegment[] = []
  let current = zoneOffsetMs(timeZone, yearStart)
  let t = yearStart
  while (t < yearEnd) {
    const next = Math.min(t + SCAN_STEP_MS, yearEnd)
    const offset = zoneOffsetMs(timeZone, next)
    if (offset === current) {
      t = next
      continue
    }
    let lo = t
    let hi = next
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2)
      if (zoneOffsetMs(timeZone, mid) === current) lo = mid
      else hi = mid
    }
    current = zoneOffsetMs(timeZone, hi)
    found.push({ start: hi, offsetMs: current })
    t = hi
  }
  if (transitionCache.size >= MAX_CACHED_YEARS) transitionCache.clear()
  transitionCache.set(key, found)
  return found
}

/** The offset segments covering [from, to]: the offset at `from`, then one segment per change up to `to`. */
export function offsetSegments(timeZone: string, from: number, to: number): OffsetSegment[] {
  const segments: OffsetSegment[] = [{ start: from, offsetMs: zoneOffsetMs(timeZone, from) }]
  const firstYear = new Date(from).getUTCFullYear()
  const lastYear = new Date(to).getUTCFullYear()
  for (let year = firstYear; year <= lastYear; year++) {
    for (const change of transitionsOfYear(timeZone, year)) {
      if (change.start > from && change.start <= to) segments.push(change)
    }
  }
  return segments
}
