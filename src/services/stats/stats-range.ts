import { AppError } from '../../domain/errors.ts'
import { DAY_MS, localDayNumber, startOfLocalDay, wallTimeToInstant } from './time-zone.ts'

/** `YYYY-MM-DD`, a local `YYYY-MM-DDTHH:mm[:ss[.fff]]`, or either with `Z` / `±HH:MM`. */
export const ISO_BOUND =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/** A half-open interval of epoch milliseconds; either end may be open. */
export interface TimeRange {
  from?: number
  /** Exclusive. */
  to?: number
}

function invalid(field: string, message: string): AppError {
  return new AppError('validation_error', `Invalid query: ${field}: ${message}`, {
    fields: [{ field, message: `${field}: ${message}` }],
  })
}

/** Minutes east of UTC of `Z`, `+08:00`, `-0500`. */
function offsetMinutes(designator: string): number {
  if (designator.toUpperCase() === 'Z') return 0
  const digits = designator.slice(1).replace(':', '')
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))
  return designator.startsWith('-') ? -minutes : minutes
}

/**
 * One bound of a range, in epoch ms. A date alone means the start of that day in `timeZone` (for an end: the
 * start of the next day, exclusive); a timestamp without offset is a wall time in `timeZone`; a timestamp
 * with `Z` or an offset is that instant. Timestamps as ends are inclusive (we return the next millisecond).
 */
export function parseBound(value: string, timeZone: string, edge: 'start' | 'end', field: string): number {
  const m = ISO_BOUND.exec(value)
  if (!m) throw invalid(field, 'must be an ISO date (YYYY-MM-DD) or timestamp')
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const check = new Date(Date.UTC(year, month - 1, day))
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    throw invalid(field, 'is not a real date')
  if (m[4] === undefined) {
    const dayNumber = Math.floor(check.getTime() / DAY_MS)
    return startOfLocalDay(timeZone, edge === 'start' ? dayNumber : dayNumber + 1)
  }
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)]
  if (hour > 23 || minute > 59 || second > 59) throw invalid(field, 'is not a real time')
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'))
  let at: number
  if (m[8] === undefined) {
    at = wallTimeToInstant(timeZone, year, month, day, hour, minute, second, ms)
  } else {
    const offset = offsetMinutes(m[8])
    if (Math.abs(offset) > 18 * 60 || /[6-9]\d$/.test(m[8]))
      throw invalid(field, 'has an impossible UTC offset')
    at = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000
  }
  return edge === 'start' ? at : at + 1
}

/** The local day [start, next start) containing `now` in the zone. */
export function todayRange(timeZone: string, now: number): Required<TimeRange> {
  const day = localDayNumber(timeZone, now)
  return { from: startOfLocalDay(timeZone, day), to: startOfLocalDay(timeZone, day + 1) }
}

/**
 * The range of a stats or logs query. With neither bound, `defaultToday` picks today in the zone (stats) or
 * everything (logs). A start after the end is refused.
 */
export function resolveRange(
  q: { start?: string; end?: string; startField: string; endField: string },
  timeZone: string,
  now: number,
  defaultToday: boolean,
): TimeRange {
  if (q.start === undefined && q.end === undefined) return defaultToday ? todayRange(timeZone, now) : {}
  const range: TimeRange = {}
  if (q.start !== undefined) range.from = parseBound(q.start, timeZone, 'start', q.startField)
  if (q.end !== undefined) range.to = parseBound(q.end, timeZone, 'end', q.endField)
  if (range.from !== undefined && range.to !== undefined && range.from >= range.to)
    throw invalid(q.endField, `must be after ${q.startField}`)
  return range
}
