import { Worker } from 'node:worker_threads'
import { AUDIT_DIR_MODE, AUDIT_FILE_MODE, brotliSettings, type BrotliSettings } from './write-audit-file.ts'

/** One record for a worker: its final path, the redacted JSON as UTF-8 and the Brotli quality to use. */
export interface AuditFileJob {
  file: string
  data: Buffer
  quality: number
}

/** Nice value of the writer threads (0 is normal, 19 the lowest priority). */
export const AUDIT_WORKER_NICE = 5

export interface AuditFileWorkers {
  /** Compresses and writes a batch; per job `null` or the error message. Rejects only if the worker died. */
  write(jobs: readonly AuditFileJob[]): Promise<(string | null)[]>
  close(): Promise<void>
}

/**
 * The UTF-8 of every record of a batch in one buffer of its own (not from Node's shared pool), which the worker
 * receives by transfer: no copy of the text in the message and no strings for the worker's heap to collect.
 */
function packBatch(jobs: readonly AuditFileJob[]): {
  bytes: ArrayBuffer
  slices: ({ file: string; start: number; end: number } & BrotliSettings)[]
} {
  let total = 0
  for (const job of jobs) total += job.data.length
  const buffer = Buffer.allocUnsafeSlow(total)
  let offset = 0
  const slices = jobs.map((job) => {
    const start = offset
    offset += job.data.copy(buffer, offset)
    return { file: job.file, start, end: offset, ...brotliSettings(job.quality, offset - start) }
  })
  return { bytes: buffer.buffer as ArrayBuffer, slices }
}

/*
 * Plain CommonJS run with `eval`, so it loads the same way under tsx, Vitest and a built install. It only
 * compresses and writes: redaction happens before a record leaves the main thread. A whole batch is one
 * message, so a busy gateway pays one thread hand-off per batch instead of five thread-pool hops (compress,
 * open, write, close, rename) per record; a stalled disk stalls this thread, never the event loop.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const os = require('node:os')
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')
const FILE_MODE = ${AUDIT_FILE_MODE}
const DIR_MODE = ${AUDIT_DIR_MODE}
const known = new Set()
const C = fs.constants
const FLAGS = C.O_WRONLY | C.O_CREAT | C.O_TRUNC | (C.O_NOFOLLOW || 0)
// The settings come with each job (brotliSettings in write-audit-file.ts), so both write paths use the same ones.
function options(job, size) {
  const c = zlib.constants
  return { chunkSize: job.chunkSize, params: {
    [c.BROTLI_PARAM_QUALITY]: job.quality,
    [c.BROTLI_PARAM_MODE]: c.BROTLI_MODE_TEXT,
    [c.BROTLI_PARAM_SIZE_HINT]: size,
    [c.BROTLI_PARAM_LGWIN]: job.lgwin,
  } }
}
function ensureDir(dir) {
  if (known.has(dir)) return
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE })
  known.add(dir)
}
function writeOne(bytes, job) {
  const json = Buffer.from(bytes, job.start, job.end - job.start)
  const data = zlib.brotliCompressSync(json, options(job, json.length))
  const dir = path.dirname(job.file)
  ensureDir(dir)
  // No temp file and rename: a record is small and written in one call, and a reader that meets one half
  // written treats it as not there yet. O_NOFOLLOW: a planted symlink is never followed.
  let fd
  try {
    fd = fs.openSync(job.file, FLAGS, FILE_MODE)
  } catch (error) {
    if (!error || error.code !== 'ENOENT') throw error
    known.delete(dir)
    ensureDir(dir)
    fd = fs.openSync(job.file, FLAGS, FILE_MODE)
  }
  try {
    fs.writeSync(fd, data)
  } finally {
    fs.closeSync(fd)
  }
}
// Background work: on a busy core the request path goes first (pid 0 is this thread on Linux, where the nice
// value is per thread). Nice ${AUDIT_WORKER_NICE} still leaves the writers about a quarter of a contended core,
// more than they need to keep up, so records are not pushed down the pressure ladder by it.
try {
  os.setPriority(0, ${AUDIT_WORKER_NICE})
} catch {}
// SCHED_BATCH (Linux; no privilege needed to choose it): the same share of a contended core as by the nice value,
// but a writer woken by a new batch does not preempt the request path on wakeup; it runs when the event loop
// waits, or after a time slice. Node has no call for it, so the thread asks chrt, once, best effort.
if (process.platform === 'linux') {
  // Named, so that top -H, ps and the benchmark tell the writers from V8's helper threads (all "node" otherwise).
  try {
    fs.writeFileSync('/proc/thread-self/comm', 'audit-writer')
  } catch {}
  try {
    const tid = fs.readlinkSync('/proc/thread-self').split('/').pop()
    require('node:child_process').execFileSync('chrt', ['--batch', '--pid', '0', tid], { stdio: 'ignore', timeout: 2000 })
  } catch {}
}
parentPort.on('message', (msg) => {
  const results = []
  for (const job of msg.jobs) {
    try {
      writeOne(msg.bytes, job)
      results.push(null)
    } catch (error) {
      results.push(String((error && error.message) || error))
    }
  }
  parentPort.postMessage({ id: msg.id, results })
})
`

interface Slot {
  worker: Worker | null
  pending: Map<number, { resolve: (r: (string | null)[]) => void; reject: (e: unknown) => void }>
  busy: number
}

/**
 * A small pool of audit file writers. Batches go to the least busy worker; a worker that dies fails its
 * batches and is replaced on next use.
 */
export function createAuditFileWorkers(count: number): AuditFileWorkers {
  const slots: Slot[] = Array.from({ length: Math.max(1, count) }, () => ({
    worker: null,
    pending: new Map(),
    busy: 0,
  }))
  let nextId = 1
  let closed = false

  const start = (slot: Slot): Worker => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      // Nothing of the gateway's environment (secrets) but the search path, where the thread finds chrt.
      env: process.env.PATH ? { PATH: process.env.PATH } : {},
      stdout: false,
    })
    worker.unref()
    const failAll = (error: unknown): void => {
      if (slot.worker === worker) slot.worker = null
      for (const p of slot.pending.values()) p.reject(error)
      slot.pending.clear()
      slot.busy = 0
    }
    worker.on('message', (msg: { id: number; results: (string | null)[] }) => {
      const p = slot.pending.get(msg.id)
      if (!p) return
      slot.pending.delete(msg.id)
      slot.busy--
      // Only a worker with work in hand keeps the process alive.
      if (slot.pending.size === 0) worker.unref()
      p.resolve(msg.results)
    })
    worker.on('error', failAll)
    worker.on('exit', (code) => failAll(new Error(`audit worker exited with code ${code}`)))
    slot.worker = worker
    return worker
  }

  return {
    write(jobs) {
      if (closed) return Promise.reject(new Error('audit workers are closed'))
      let slot = slots[0]
      for (const s of slots) if (s.busy < slot.busy) slot = s
      const worker = slot.worker ?? start(slot)
      const id = nextId++
      // Packed before the batch is registered, so a failed allocation leaves no pending entry behind.
      const { bytes, slices } = packBatch(jobs)
      return new Promise((resolve, reject) => {
        if (slot.pending.size === 0) worker.ref()
        slot.pending.set(id, { resolve, reject })
        slot.busy++
        worker.postMessage({ id, bytes, jobs: slices }, [bytes])
      })
    },
    async close() {
      closed = true
      await Promise.all(
        slots.map(async (s) => {
          const w = s.worker
          s.worker = null
          if (w) await w.terminate()
        }),
      )
    },
  }
}
