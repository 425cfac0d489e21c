import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/support/test-databases.ts'
import type { CacheChange } from './invalidation-bus.ts'
import { CACHE_CHANGES_KEPT_MS, recordCacheChanges } from './record-cache-changes.ts'
import { watchCacheChanges } from './watch-cache-changes.ts'

const kinds = await testDbKinds()

describe.each(kinds)('cache changes through the database (%s)', (kind) => {
  let tdb: TestDatabase
  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
  })
  afterAll(async () => tdb?.drop())

  /** A watch on a clock the test moves; its timer is far away, so only `poll()` reads. */
  function watch(start: number) {
    const clock = { now: start }
    const applied: CacheChange[] = []
    const errors: unknown[] = []
    const w = watchCacheChanges({
      db: tdb.db.db,
      apply: (c) => applied.push(c),
      onError: (e) => errors.push(e),
      intervalMs: 3_600_000,
      windowMs: 30_000,
      now: () => clock.now,
    })
    return { w, clock, applied, errors }
  }

  /** One read while the table is renamed away (the read fails), then the table put back. */
  async function pollWithTableAway(w: { poll(): Promise<void> }): Promise<void> {
    await tdb.db.db.schema.alterTable('cache_changes').renameTo('cache_changes_away').execute()
    try {
      await w.poll()
    } finally {
      await tdb.db.db.schema.alterTable('cache_changes_away').renameTo('cache_changes').execute()
    }
  }

  it('applies each change once, whoever wrote it, including one committed late with an earlier time', async () => {
    const t0 = 1_900_000_000_000
    const { w, clock, applied, errors } = watch(t0)
    try {
      await recordCacheChanges(tdb.db.db, [{ what: 'keys', id: 'k1' }, { what: 'users' }], t0 + 10)
      clock.now = t0 + 20
      await w.poll()
      expect(applied).toEqual([{ what: 'keys', id: 'k1' }, { what: 'users' }])
      // Read again: nothing new, nothing applied twice.
      await w.poll()
      expect(applied).toHaveLength(2)
      // A writer whose transaction took a moment: its row carries a time before what was read already.
      await recordCacheChanges(tdb.db.db, [{ what: 'channels', id: 'c1' }], t0 + 5)
      clock.now = t0 + 300
      await w.poll()
      expect(applied).toEqual([{ what: 'keys', id: 'k1' }, { what: 'users' }, { what: 'channels', id: 'c1' }])
      // Circuit states are runtime, not written.
      expect(
        await recordCacheChanges(tdb.db.db, [{ what: 'circuit', id: 'c1', until: 1 }], t0 + 400),
      ).toEqual([])
      expect(errors).toEqual([])
    } finally {
      w.stop()
    }
  })

  it('skips what this process wrote and applied itself, and forgets ids once they leave the window', async () => {
    const t0 = 1_900_000_100_000
    const { w, clock, applied } = watch(t0)
    try {
      const own = await recordCacheChanges(tdb.db.db, [{ what: 'prices' }], t0)
      w.skip(own)
      await recordCacheChanges(tdb.db.db, [{ what: 'groups', id: 'g1' }], t0 + 1)
      clock.now = t0 + 2
      await w.poll()
      expect(applied).toEqual([{ what: 'groups', id: 'g1' }])
      // Far later: old rows are outside the window, so neither read nor re-applied.
      clock.now = t0 + 60_000
      await w.poll()
      expect(applied).toHaveLength(1)
    } finally {
      w.stop()
    }
  })

  it('keeps an hour of changes: a later write deletes older rows', async () => {
    const t0 = 1_900_001_000_000
    await recordCacheChanges(tdb.db.db, [{ what: 'keys', id: 'old' }], t0)
    await recordCacheChanges(tdb.db.db, [{ what: 'keys', id: 'new' }], t0 + CACHE_CHANGES_KEPT_MS + 1)
    const targets = (
      await tdb.db.db.selectFrom('cache_changes').select('target').where('at', '>=', t0).execute()
    ).map((r) => r.target)
    expect(targets).toEqual(['new'])
  })

  // Later than every row above, so that none of theirs is in its window.
  it('a failed read is reported, not thrown, and the next read catches up', async () => {
    const t0 = 1_900_010_000_000
    const { w, clock, applied, errors } = watch(t0)
    try {
      await recordCacheChanges(tdb.db.db, [{ what: 'users', id: 'ann' }], t0)
      clock.now = t0 + 1
      await pollWithTableAway(w)
      expect(errors).toHaveLength(1)
      expect(applied).toEqual([])
      await w.poll()
      expect(applied).toEqual([{ what: 'users', id: 'ann' }])
      // Once stopped (a shutdown closing the database under a read), a failing read is not worth a warning.
      w.stop()
      await pollWithTableAway(w)
      expect(errors).toHaveLength(1)
    } finally {
      w.stop()
    }
  })
})
