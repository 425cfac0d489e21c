/**
 * The soak's judgement (bench/soak-report.ts, issue 20) on made-up probe samples: the warm-up's plateau rule, and
 * memory judged after a full collection, so that a heap still reachable that grows fails while the sawtooth of
 * heap used between collections does not.
 */
import { describe, expect, it } from 'vitest'
import { type ProbeSample, type Warmup, emptyLoad, judgeSoak, rssPlateau } from '../../bench/soak-report.ts'

const MIB = 1024 * 1024

/** One sample a second from t0 for `seconds`, a forced collection every fifth; `rss` and `heap` in MiB after GC. */
function samples(
  t0: number,
  seconds: number,
  rss: (s: number) => number,
  heap: (s: number) => number,
): ProbeSample[] {
  return Array.from({ length: seconds }, (_, s) => {
    const gc = s % 5 === 4
    return {
      t: t0 + s * 1000,
      pid: 7,
      rss: (rss(s) + 20) * MIB,
      // The sawtooth between collections: up to 40 MiB above what is reachable.
      heapUsed: (heap(s) + (s % 5) * 10) * MIB,
      ...(gc ? { heapAfterGc: heap(s) * MIB, rssAfterGc: rss(s) * MIB } : {}),
      handles: 50,
      delayMeanMs: 12,
      delayP99Ms: 30,
    }
  })
}

function judge(
  all: ProbeSample[],
  measuredFrom: number,
  loadEndedAt: number,
  warmup: Warmup = { seconds: 60, plateau: true, rssBefore: 300, rssLast: 300 },
) {
  return judgeSoak({
    seconds: (loadEndedAt - measuredFrom) / 1000,
    concurrency: 16,
    db: 'sqlite',
    workers: 1,
    warmup,
    measuredFrom,
    loadEndedAt,
    load: emptyLoad(),
    samples: all,
    fds: all.map((s) => ({ t: s.t, fds: 90 })),
    written: undefined,
    audit: undefined,
  })
}

/** RSS and heap after GC flat at 320 and 36 MiB over 300 s. */
const FLAT = samples(
  0,
  300,
  () => 320,
  () => 36,
)

const verdict = (r: ReturnType<typeof judge>, name: string) => r.verdicts.find((v) => v.name.startsWith(name))

describe('soak report (issue 20)', () => {
  it('sees a plateau only once RSS after GC stops growing by 2 % from one 30 s span to the next', () => {
    // A page cache filling at 0.5 MiB/s until 180 s, flat after.
    const all = samples(
      0,
      300,
      (s) => 230 + Math.min(s, 180) * 0.5,
      () => 36,
    )
    expect(rssPlateau(all, 120_000).plateau).toBe(false)
    expect(rssPlateau(all, 180_000).plateau).toBe(false)
    const later = rssPlateau(all, 240_000)
    expect(later.plateau).toBe(true)
    expect(later.rssLast).toBeCloseTo(320, 0)
    // No samples after GC yet: no plateau.
    expect(rssPlateau(all, 30_000).plateau).toBe(false)
  })

  it('passes a flat heap after GC whatever heap used reads between collections', () => {
    const r = judge(FLAT, 60_000, 300_000)
    expect(verdict(r, 'heap used after GC came back')?.pass).toBe(true)
    expect(verdict(r, 'RSS after GC came back')?.pass).toBe(true)
    expect(r.resources.find((m) => m.metric === 'heap used after GC')?.level).toBeCloseTo(36, 5)
  })

  it('fails a heap after GC that keeps growing (a leak), and RSS that keeps growing', () => {
    const r = judge(
      samples(
        0,
        300,
        (s) => 300 + s * 0.3,
        (s) => 36 + s * 0.05,
      ),
      60_000,
      300_000,
    )
    expect(verdict(r, 'heap used after GC came back')?.pass).toBe(false)
    expect(verdict(r, 'RSS after GC came back')?.pass).toBe(false)
  })

  it('fails the soak when the warm-up ended without a plateau', () => {
    const r = judge(FLAT, 60_000, 300_000, { seconds: 600, plateau: false, rssBefore: 300, rssLast: 330 })
    expect(verdict(r, 'RSS after GC reached a plateau')?.pass).toBe(false)
    expect(r.pass).toBe(false)
  })
})
