/**
 * Runs a transaction again when SQLite refused it with SQLITE_BUSY_SNAPSHOT: it read, then wanted to write after
 * another connection (another cluster worker, the CLI) had committed, so its snapshot is stale. SQLite answers that
 * at once, without waiting out the busy timeout, and the transaction has been rolled back: running it anew reads
 * the other commit and is safe. Only SQLite; PostgreSQL errors pass through (docs/architecture.md, "Several workers
 * and hosts").
 */
export async function retryStaleSnapshot<T>(run: () => Promise<T>, tries = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (err) {
      if (attempt >= tries || (err as { code?: unknown } | null)?.code !== 'SQLITE_BUSY_SNAPSHOT') throw err
      // A little jitter so two processes that collided do not collide again in step.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt))
    }
  }
}
