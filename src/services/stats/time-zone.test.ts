import { describe, expect, it } from 'vitest'
import {
  dayNumberToDate,
  isValidTimeZone,
  localDayNumber,
  offsetSegments,
  startOfLocalDay,
  wallTimeToInstant,
  zoneOffsetMs,
} from './time-zone.ts'
import { parseBound, resolveRange } from './stats-range.ts'
import { csvCell, formatNanoUsd } from './usage-csv.ts'

const H = 3_600_000
const at = (iso: string) => Date.parse(iso)

describe('time zones without a tz database in SQL', () => {
  it('knows valid zones and refuses invented ones', () => {
    expect(isValidTimeZone('UTC')).toBe(true)
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true)
    expect(isValidTimeZone('America/New_York')).toBe(true)
    expect(isValidTimeZone('Mars/Phobos')).toBe(false)
    expect(isValidTimeZone('')).toBe(false)
  })

  it('gives UTC offsets, including both sides of a DST change', () => {
    expect(zoneOffsetMs('UTC', at('2024-03-10T12:00:00Z'))).toBe(0)
    expect(zoneOffsetMs('Asia/Shanghai', at('2024-03-10T12:00:00Z'))).toBe(8 * H)
    // New York springs forward at 2024-03-10 07:00 UTC (02:00 EST → 03:00 EDT).
    expect(zoneOffsetMs('America/New_York', at('2024-03-10T06:59:59.999Z'))).toBe(-5 * H)
    expect(zoneOffsetMs('America/New_York', at('2024-03-10T07:00:00Z'))).toBe(-4 * H)
    // India is +5:30, Kathmandu +5:45.
    expect(zoneOffsetMs('Asia/Kolkata', at('2024-03-10T00:00:00Z'))).toBe(5.5 * H)
    expect(zoneOffsetMs('Asia/Kathmandu', at('2024-03-10T00:00:00Z'))).toBe(5.75 * H)
  })

  it('splits a range into constant-offset segments exactly at each transition', () => {
    const segs = offsetSegments('America/New_York', at('2024-01-01T00:00:00Z'), at('2024-12-31T00:00:00Z'))
    expect(segs).toEqual([
      { start: at('2024-01-01T00:00:00Z'), offsetMs: -5 * H },
      { start: at('2024-03-10T07:00:00Z'), offsetMs: -4 * H },
      { start: at('2024-11-03T06:00:00Z'), offsetMs: -5 * H },
    ])
    expect(
      offsetSegments('Asia/Shanghai', at('2024-01-01T00:00:00Z'), at('2024-12-31T00:00:00Z')),
    ).toHaveLength(1)
  })

  it('finds local days and their starts', () => {
    // 23:30 UTC is already the next day in Shanghai.
    expect(dayNumberToDate(localDayNumber('UTC', at('2024-03-09T23:30:00Z')))).toBe('2024-03-09')
    expect(dayNumberToDate(localDayNumber('Asia/Shanghai', at('2024-03-09T23:30:00Z')))).toBe('2024-03-10')
    const day = Math.floor(at('2024-03-10T00:00:00Z') / 86_400_000)
    expect(new Date(startOfLocalDay('Asia/Shanghai', day)).toISOString()).toBe('2024-03-09T16:00:00.000Z')
    expect(new Date(startOfLocalDay('America/New_York', day)).toISOString()).toBe('2024-03-10T05:00:00.000Z')
    expect(new Date(startOfLocalDay('America/New_York', day + 1)).toISOString()).toBe(
      '2024-03-11T04:00:00.000Z',
    )
    // A wall time in the spring-forward gap maps one hour later; the repeated hour to its first occurrence.
    expect(new Date(wallTimeToInstant('America/New_York', 2024, 3, 10, 2, 30)).toISOString()).toBe(
      '2024-03-10T07:30:00.000Z',
    )
    expect(new Date(wallTimeToInstant('America/New_York', 2024, 11, 3, 1, 30)).toISOString()).toBe(
      '2024-11-03T05:30:00.000Z',
    )
  })

  it('parses range bounds: dates in the zone, local wall times, instants; ends inclusive', () => {
    expect(parseBound('2024-03-10', 'Asia/Shanghai', 'start', 'x')).toBe(at('2024-03-09T16:00:00Z'))
    expect(parseBound('2024-03-10', 'Asia/Shanghai', 'end', 'x')).toBe(at('2024-03-10T16:00:00Z'))
    expect(parseBound('2024-03-10T08:00:00', 'Asia/Shanghai', 'start', 'x')).toBe(at('2024-03-10T00:00:00Z'))
    expect(parseBound('2024-03-10T08:00:00+08:00', 'UTC', 'start', 'x')).toBe(at('2024-03-10T00:00:00Z'))
    expect(parseBound('2024-03-10T23:59:59.999Z', 'UTC', 'end', 'x')).toBe(at('2024-03-11T00:00:00Z'))
    expect(() => parseBound('2024-02-30', 'UTC', 'start', 'start_at')).toThrow(/start_at/)
    expect(() => parseBound('yesterday', 'UTC', 'start', 'start_at')).toThrow(/start_at/)
    expect(() => parseBound('2024-03-10T08:00:00+25:00', 'UTC', 'start', 'start_at')).toThrow(/offset/)
    expect(() => parseBound('2024-03-10T08:00:00+05:75', 'UTC', 'start', 'start_at')).toThrow(/offset/)
    expect(() =>
      resolveRange(
        { start: '2024-03-10', end: '2024-03-09', startField: 'a', endField: 'b' },
        'UTC',
        0,
        true,
      ),
    ).toThrow(/b: must be after a/)
    const today = resolveRange(
      { startField: 'a', endField: 'b' },
      'Asia/Shanghai',
      at('2024-03-09T23:30:00Z'),
      true,
    )
    expect(today).toEqual({ from: at('2024-03-09T16:00:00Z'), to: at('2024-03-10T16:00:00Z') })
    expect(resolveRange({ startField: 'a', endField: 'b' }, 'UTC', 0, false)).toEqual({})
  })
})

describe('CSV cells', () => {
  it('neutralises formulas and quotes separators', () => {
    expect(csvCell('=1+1')).toBe("'=1+1")
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('-1')).toBe("'-1")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('gpt-4o')).toBe('gpt-4o')
    expect(csvCell(12)).toBe('12')
    expect(csvCell(null)).toBe('')
  })

  it('formats nano-USD exactly', () => {
    expect(formatNanoUsd(0n)).toBe('0')
    expect(formatNanoUsd(1n)).toBe('0.000000001')
    expect(formatNanoUsd(1_500_000_000n)).toBe('1.5')
    expect(formatNanoUsd(18_014_398_509_481_986n)).toBe('18014398.509481986')
  })
})
