/** How a group-commit queue writes what it gathered. */
export interface GroupCommitWrites<T, R> {
  /**
   * Resolves when a batch should be taken: after the rest of the tick, or a few milliseconds more so that a lightly
   * loaded gateway still gathers several items per commit.
   */
  gather: () => Promise<void>
  /** Items written together at most (the rest wait for the next batch of the same flush). */
  maxBatch: number
  /** A batch of one, where the database has a cheaper way for it (PostgreSQL: one statement, one round trip). */
  writeOne?: (item: T) => Promise<R>
  /** The whole batch in one transaction, which rolls back whole on a throw; one result per item, in order. */
  writeBatch: (items: readonly T[]) => Promise<R[]>
  /** Each item of a failed batch again, in a transaction of its own, so that a bad one cannot fail the others. */
  writeAlone: (item: T) => Promise<R>
  /**
   * Whether a batch's error would fail each of its items alone just the same (the database is unreachable or
   * locked): the whole batch is then refused at once, instead of one doomed write per item — on SQLite each would
   * wait out the busy timeout. Without it, every failed batch is retried item by item.
   */
  failsWhole?: (error: unknown) => boolean
}

/**
 * Group commit: items that arrive together are written in one transaction, so a busy gateway pays one commit (one
 * WAL write on SQLite, one round trip on PostgreSQL) for many requests, while each item still gets its own result.
 * One flush runs at a time; items arriving meanwhile join the next batch.
 */
export function createGroupCommit<T, R>(writes: GroupCommitWrites<T, R>): (item: T) => Promise<R> {
  type Pending = { item: T; resolve: (v: R) => void; reject: (e: unknown) => void }
  let queue: Pending[] = []
  let scheduled = false
  let running: Promise<void> = Promise.resolve()

  async function writeEachAlone(batch: readonly Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        p.resolve(await writes.writeAlone(p.item))
      } catch (err) {
        p.reject(err)
      }
    }
  }

  async function flush(): Promise<void> {
    scheduled = false
    while (queue.length > 0) {
      const batch = queue.slice(0, writes.maxBatch)
      queue = queue.slice(batch.length)
      if (writes.writeOne && batch.length === 1) {
        const [p] = batch
        try {
          p.resolve(await writes.writeOne(p.item))
        } catch (err) {
          p.reject(err)
        }
        continue
      }
      let results: R[]
      try {
        results = await writes.writeBatch(batch.map((p) => p.item))
      } catch (err) {
        // The batch rolled back whole: nothing of it was written.
        if (writes.failsWhole?.(err)) for (const p of batch) p.reject(err)
        else await writeEachAlone(batch)
        continue
      }
      batch.forEach((p, i) => p.resolve(results[i]))
    }
  }

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject })
      if (!scheduled) {
        scheduled = true
        running = running.then(writes.gather).then(flush)
      }
    })
}

/** Waits for the rest of the current tick. */
export const untilNextTick = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve))

/** Waits `ms` milliseconds (the rest of the tick when 0). */
export const forMilliseconds = (ms: number) => (): Promise<void> =>
  ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : untilNextTick()
