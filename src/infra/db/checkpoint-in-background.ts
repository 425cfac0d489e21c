import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type SQLite from 'better-sqlite3'

/**
 * SQLite's WAL checkpoints on a thread of their own (docs/performance.md, "Checkpoints"). By default the connection
 * that commits past 1,000 WAL pages copies them into the database file and syncs both files, inside that commit:
 * on the gateway's one connection that is the event loop, stalled for two fsyncs (about 3 ms each on the benchmark
 * machine's disk) every few hundred requests — the slowest tenth of requests at one connection took twice as long.
 * Here a worker thread with a connection of its own runs a PASSIVE checkpoint every `intervalMs`: it never waits
 * for the writer and the writer never waits for it, so commits only append to the WAL. The gateway's connection
 * keeps a far threshold (FALLBACK_PAGES) in case the thread falls behind or fails; when the thread stops, the
 * default threshold comes back.
 */
export const FALLBACK_PAGES = 10_000
export const DEFAULT_INTERVAL_MS = 200
const SQLITE_DEFAULT_PAGES = 1000

const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads')
const fs = require('node:fs')
const os = require('node:os')
// Background work: on a busy core the request path goes first (the nice value is per thread on Linux).
try {
  os.setPriority(0, 10)
} catch {}
if (process.platform === 'linux') {
  // Named, so that top -H and the benchmark tell it from V8's helper threads.
  try {
    fs.writeFileSync('/proc/thread-self/comm', 'db-checkpoint')
  } catch {}
}
const Database = require(workerData.driver)
const db = new Database(workerData.file, { fileMustExist: true })
// PASSIVE never waits: a checkpoint that meets a busy lock copies what it can now and the rest next time.
db.pragma('busy_timeout = 0')
const run = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch {}
}
const timer = setInterval(run, workerData.intervalMs)
parentPort.on('message', (msg) => {
  if (msg === 'stop') {
    clearInterval(timer)
    db.close()
    parentPort.close()
  }
})
`

export interface BackgroundCheckpoints {
  /**
   * Stops the thread; its exit gives the connection its default threshold back, and the connection's close then
   * checkpoints the rest.
   */
  stop(): Promise<void>
}

/**
 * Starts checkpointing `file`'s WAL in a worker thread instead of in `sqlite`'s commits. `onStopped` hears of a
 * thread that ended without being asked to (it could not open the file, it failed): the connection checkpoints again.
 */
export function checkpointInBackground(
  sqlite: SQLite.Database,
  file: string,
  intervalMs = DEFAULT_INTERVAL_MS,
  onStopped?: (error: Error) => void,
): BackgroundCheckpoints {
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_PAGES}`)
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // The driver the gateway itself loaded, wherever the package is installed.
    workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), file, intervalMs },
    execArgv: [],
    env: {},
    stdout: false,
  })
  // Background work only: it never keeps the process alive.
  worker.unref()
  let stopped = false
  const restoreDefault = (): void => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`)
  }
  let failure: Error | null = null
  // A thread that cannot open the database (or fails later) leaves the checkpoints to the connection again.
  worker.on('error', (error: unknown) => (failure ??= asError(error)))
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      const unasked = !stopped
      stopped = true
      restoreDefault()
      if (unasked) onStopped?.(failure ?? new Error(`the checkpoint thread exited with code ${code}`))
      resolve()
    })
  })
  return {
    async stop() {
      if (!stopped) {
        stopped = true
        worker.postMessage('stop')
        const timeout = setTimeout(() => void worker.terminate(), 2000)
        await exited
        clearTimeout(timeout)
      }
    },
  }
}

/** A thread's failure as an Error: one of the driver's own (SqliteError) crosses the thread as its `code` alone. */
function asError(error: unknown): Error {
  if (error instanceof Error) return error
  const code = (error as { code?: unknown } | null)?.code
  return new Error(`the checkpoint thread failed${typeof code === 'string' ? `: ${code}` : ''}`)
}
