/**
 * One in-process sliding window: entries ordered by time, each with an amount (1 for a request), and their
 * running sum. An entry recorded at `ts` counts while `now - windowMs < ts`, like the Redis script's trim of
 * scores in [-inf, now - window].
 */
interface Entry {
  id: string
  ts: number
  amount: number
}

export class SlidingWindow {
  private entries: Entry[] = []
  private head = 0
  private readonly byId = new Map<string, Entry>()
  private total = 0
  /** The window length last used, so a background sweep can expire entries without the rule. */
  windowMs: number

  constructor(windowMs: number) {
    this.windowMs = windowMs
  }

  get size(): number {
    return this.entries.length - this.head
  }

  /** Drops expired entries and returns the current sum. */
  trim(now: number, windowMs: number = this.windowMs): number {
    this.windowMs = windowMs
    const cutoff = now - windowMs
    while (this.head < this.entries.length && this.entries[this.head].ts <= cutoff) {
      const e = this.entries[this.head++]
      if (this.byId.get(e.id) === e) this.byId.delete(e.id)
      this.total -= e.amount
    }
    if (this.head === this.entries.length) {
      this.entries = []
      this.head = 0
      this.total = 0
    } else if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head)
      this.head = 0
    }
    return this.total
  }

  get sum(): number {
    return this.total
  }

  has(id: string): boolean {
    return this.byId.has(id)
  }

  /** Records an entry (an existing id keeps its time and takes the new amount). */
  record(id: string, amount: number, now: number): void {
    const existing = this.byId.get(id)
    if (existing) {
      this.total += amount - existing.amount
      existing.amount = amount
      return
    }
    const last = this.entries[this.entries.length - 1]
    const e = { id, ts: last && last.ts > now ? last.ts : now, amount }
    this.entries.push(e)
    this.byId.set(id, e)
    this.total += amount
  }

  /** Replaces the amount of an entry still in the window; a missing one is recorded now when non-zero. */
  correct(id: string, amount: number, now: number): void {
    if (this.byId.has(id) || amount > 0) this.record(id, amount, now)
  }

  /** Milliseconds until the oldest entry expires, 0 when empty. */
  resetMs(now: number): number {
    return this.size > 0 ? this.entries[this.head].ts + this.windowMs - now : 0
  }

  /**
   * Milliseconds until at least `need` of the current sum has expired (oldest first), or the full window when
   * that never happens.
   */
  msUntilFreed(need: number, now: number): number {
    let freed = 0
    for (let i = this.head; i < this.entries.length; i++) {
      freed += this.entries[i].amount
      if (freed >= need) return this.entries[i].ts + this.windowMs - now
    }
    return this.windowMs
  }
}
