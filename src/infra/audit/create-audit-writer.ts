import type { AuditMetadataReason, AuditRecord } from './audit-record.ts'
import { estimateAuditSize } from './estimate-audit-size.ts'
import { redactAuditRecordToJson } from './redact-audit-record.ts'
import { dayFolderName, isSafeRequestId, resolveAuditPath } from './resolve-audit-path.ts'
import { stripAuditBodies } from './strip-audit-bodies.ts'
import { writeAuditFileSync } from './write-audit-file.ts'
import { createAuditFileWorkers, type AuditFileJob } from './audit-file-workers.ts'
import { errorMessage } from '../../domain/errors.ts'

export type AuditMode = 'full' | 'metadata' | 'off'

export type AuditMetricName =
  | 'audit_written_total'
  | 'audit_failed_total'
  | 'audit_degraded_low_quality_total'
  | 'audit_degraded_metadata_only_total'
  | 'audit_overflow_total'
  | 'audit_sync_written_total'
  /** A gauge: records waiting (queue + overflow), reported on every change. */
  | 'audit_queue_depth'

export interface AuditWriterOptions {
  /** Root folder, normally `data/sessions`. */
  dir: string
  /** `NUM_LOG_CONSUMERS`: concurrent writers (worker threads) draining the queue. */
  consumers: number
  /** Records a consumer takes at once and hands to its worker in one message. Default 64. */
  batchSize?: number
  /** How long a consumer waits for a batch to fill before it writes what is there. Default 20 ms. */
  flushDelayMs?: number
  /** Records that may wait with their bodies. Default 2000. */
  queueCapacity?: number
  /** Small metadata-only records that may wait once the queue is full. Default 10 × queueCapacity. */
  overflowCapacity?: number
  /** Estimated bytes waiting or being compressed before new records lose their bodies. Default 128 MiB. */
  maxQueuedBytes?: number
  /** A serialised record larger than this is written metadata-only. Default 16 MiB. */
  maxRecordBytes?: number
  /** `AUDIT_BODIES`. */
  mode: AuditMode
  /** Brotli quality 0–11 when the queue is calm. Default 2: for records of a few KiB, higher levels cost 3–5× the CPU for ~15 % smaller files. */
  brotliQuality?: number
  now?: () => Date
  /** Counters are reported with value 1 per event; `audit_queue_depth` with the current depth. */
  onMetric?: (name: AuditMetricName, value: number) => void
  /** Write failures, for the log. Never given the record or its secrets. */
  onError?: (error: unknown) => void
}

export interface AuditWriterStats {
  /** Records waiting: queue plus overflow list. */
  queued: number
  /** Records taken by a consumer and not yet written. */
  inFlight: number
  /** Estimated bytes of the records waiting in the queue and being compressed. */
  queuedBytes: number
  written: number
  /** Records compressed at quality 1 because the queue was more than half full. */
  degradedLowQuality: number
  /** Records that lost their bodies to pressure, overflow, the size cap or the synchronous path. */
  degradedMetadataOnly: number
  /** Records that went to the overflow list because the queue was full. */
  overflowed: number
  /** Records written synchronously (overflow list full, or writer closed). */
  syncWritten: number
  /** Unsafe ids and write errors. */
  failed: number
}

export interface AuditWriter {
  /**
   * Queues a record, redacted and serialised at once: what the file holds is the record as it was at this call.
   * Never awaits, never throws. `secrets` (client key, channel key, login password) are masked wherever they
   * occur, on top of the pattern and name rules; they are not kept beyond this call. `sizeHint`:
   * the caller's count of the body bytes in the record, which spares walking it to estimate its size.
   */
  enqueue(record: AuditRecord, secrets?: readonly string[], sizeHint?: number): void
  /** Resolves when nothing waits and nothing is being written: true, or false once `timeoutMs` passed. */
  drain(timeoutMs: number): Promise<boolean>
  stats(): AuditWriterStats
  /**
   * Stops intake to the queue and drains it. A record enqueued after close is written synchronously
   * (there is no request path left to protect), so shutdown loses nothing.
   */
  close(timeoutMs?: number): Promise<boolean>
}

/**
 * A record waiting for a writer: already redacted and serialised to UTF-8, so nothing of the request is kept alive,
 * and its text is garbage at once: a string held until the batch leaves would outlive a young-generation collection
 * or two and be copied into the old generation, which then costs full collections; bytes live outside the heap.
 */
interface Pending {
  file: string
  data: Buffer
  /** What the record counts against `maxQueuedBytes`: its JSON's length. */
  bytes: number
}

/** Quality 1 (Brotli's two-pass fragment mode) costs more CPU than 2 for records of a few KiB; 0 costs less. */
const LOW_QUALITY = 0
const SYNC_QUALITY = 0
const METADATA_BYTES = 2048
/** `YYYY-MM-DDThh:mm:ss[.fff]Z`: its first ten characters are the UTC date. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,3})?Z$/

/**
 * Bounded audit queue with `consumers` concurrent writers.
 *
 * Pressure ladder (every request still gets exactly one file):
 * 1. more than 50 % of `queueCapacity` waiting → new files are compressed at quality 1;
 * 2. more than 90 % waiting, or the estimated bytes pass `maxQueuedBytes` → records are queued metadata-only;
 * 3. queue full → a metadata-only record goes to the overflow list (small: ids, status, headers, timings);
 * 4. overflow list full too → the metadata-only record is compressed at quality 0 and written synchronously.
 *    This blocks the event loop for one small write, which is chosen over losing the record; with the
 *    default sizes it only happens after ~22,000 records are stuck behind a stalled disk.
 * A record is redacted and serialised when it is enqueued (after its answer went out), so the queue holds only
 * text: no request's object graph, and no secret, stays in memory while it waits, and a full queue costs its bytes,
 * not the parsed bodies behind them. Compression and the file happen in the writer threads.
 */
export function createAuditWriter(options: AuditWriterOptions): AuditWriter {
  const capacity = Math.max(1, Math.floor(options.queueCapacity ?? 2000))
  const overflowCapacity = Math.max(0, Math.floor(options.overflowCapacity ?? capacity * 10))
  const maxQueuedBytes = options.maxQueuedBytes ?? 128 * 1024 * 1024
  const maxRecordBytes = options.maxRecordBytes ?? 16 * 1024 * 1024
  const consumers = Math.max(1, Math.floor(options.consumers))
  const quality = options.brotliQuality ?? 2
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 64))
  const flushDelayMs = Math.max(0, options.flushDelayMs ?? 20)
  const now = options.now ?? (() => new Date())
  const workers = createAuditFileWorkers(consumers)

  let queue: Pending[] = []
  let head = 0
  const overflow: Pending[] = []
  let active = 0
  let writing = 0
  let queuedBytes = 0
  let closed = false
  const waiters = new Set<() => void>()
  const counts = {
    written: 0,
    degradedLowQuality: 0,
    degradedMetadataOnly: 0,
    overflowed: 0,
    syncWritten: 0,
    failed: 0,
  }

  const metric = (name: AuditMetricName, value = 1): void => {
    try {
      options.onMetric?.(name, value)
    } catch {
      // A broken metrics sink must not break auditing.
    }
  }
  const reportError = (error: unknown): void => {
    try {
      options.onError?.(error)
    } catch {
      // Same for the logger.
    }
  }
  const queueLength = (): number => queue.length - head
  const waiting = (): number => queueLength() + overflow.length
  const fail = (error: unknown): void => {
    counts.failed++
    metric('audit_failed_total')
    reportError(error)
  }
  const degrade = (record: AuditRecord, reason: AuditMetadataReason): AuditRecord => {
    if (record.kind === 'metadata') return record
    counts.degradedMetadataOnly++
    metric('audit_degraded_metadata_only_total')
    return stripAuditBodies(record, reason)
  }

  /** The day folder of the last record placed, by the date part of its `created_at`. */
  let lastDay = { date: '', folder: '' }
  /** The record's day folder and file, with a valid `created_at` (the clock's if the record's is unusable). */
  const placeRecord = (record: AuditRecord): { record: AuditRecord; file: string } | null => {
    const createdAt = record.created_at
    // The usual case: a UTC timestamp (toISOString) of the same day as the last record. Its folder was resolved and
    // checked then, and the id is safe (enqueue checked it), so the path is joined without parsing anything again.
    if (typeof createdAt === 'string' && ISO_UTC.test(createdAt)) {
      const date = createdAt.slice(0, 10)
      if (date === lastDay.date) return { record, file: `${lastDay.folder}${record.request_id}.json.br` }
      const file = resolveAuditPath(options.dir, record.request_id, date.replaceAll('-', '_'))
      if (file) lastDay = { date, folder: file.slice(0, file.length - record.request_id.length - 8) }
      if (file) return { record, file }
    }
    let created = new Date(record.created_at)
    let placed = record
    if (typeof record.created_at !== 'string' || Number.isNaN(created.getTime())) {
      created = now()
      placed = { ...record, created_at: created.toISOString() }
    }
    const file = resolveAuditPath(options.dir, record.request_id, dayFolderName(created))
    return file ? { record: placed, file } : null
  }

  /** Redacted JSON of the record; metadata-only when the full form passes `maxRecordBytes`. */
  const serialise = (record: AuditRecord, secrets: readonly string[]): string => {
    const json = redactAuditRecordToJson(record, secrets)
    // UTF-8 is at most 3 bytes per UTF-16 unit: most records are judged without counting bytes.
    if (json.length * 3 <= maxRecordBytes || record.kind !== 'full') return json
    if (Buffer.byteLength(json, 'utf8') <= maxRecordBytes) return json
    return redactAuditRecordToJson(degrade(record, 'oversize'), secrets)
  }

  /** The record placed and serialised, for the queue or a synchronous write; null (counted as failed) if it cannot be. */
  const prepare = (record: AuditRecord, secrets: readonly string[]): Pending | null => {
    const placed = placeRecord(record)
    if (!placed) {
      fail(new Error('audit record refused: unsafe request id'))
      return null
    }
    let json: string
    try {
      json = serialise(placed.record, secrets)
    } catch (error) {
      fail(error)
      return null
    }
    return { file: placed.file, data: Buffer.from(json, 'utf8'), bytes: json.length }
  }

  const writeNow = (record: AuditRecord, secrets: readonly string[], level: number): void => {
    const item = prepare(record, secrets)
    if (!item) return
    writeAuditFileSync(item.file, item.data, level)
    counts.syncWritten++
    counts.written++
    metric('audit_sync_written_total')
    metric('audit_written_total')
  }

  const take = (): Pending | undefined => {
    let item: Pending | undefined
    if (queueLength() > 0) {
      item = queue[head]
      queue[head++] = undefined as unknown as Pending
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head)
        head = 0
      }
    } else item = overflow.shift()
    if (item) metric('audit_queue_depth', waiting())
    return item
  }

  /**
   * One worker compresses and writes every file of the batch (the text was redacted on this thread: no secret
   * leaves it). Pressure is judged per record when it is taken, counting it.
   */
  const writeBatch = async (items: Pending[]): Promise<void> => {
    const jobs: AuditFileJob[] = []
    let total = 0
    try {
      for (const [i, item] of items.entries()) {
        const level = waiting() + items.length - i > capacity * 0.5 ? Math.min(LOW_QUALITY, quality) : quality
        total += item.bytes
        jobs.push({ file: item.file, data: item.data, quality: level })
      }
      if (jobs.length === 0) return
      let results: (string | null)[]
      try {
        results = await workers.write(jobs)
      } catch (error) {
        results = jobs.map(() => errorMessage(error))
      }
      results.forEach((error, i) => {
        if (error !== null) return fail(new Error(error))
        if (jobs[i].quality < quality) {
          counts.degradedLowQuality++
          metric('audit_degraded_low_quality_total')
        }
        counts.written++
        metric('audit_written_total')
      })
    } finally {
      queuedBytes -= total
    }
  }

  const notifyIfIdle = (): void => {
    if (waiting() > 0 || active > 0) return
    for (const resolve of [...waiters]) resolve()
  }

  const consume = async (): Promise<void> => {
    try {
      // Leave the caller's stack first: nothing of the write runs inside `enqueue`. A short wait gathers a
      // batch, so a steady trickle of records does not cost one thread hand-off each.
      if (waiting() >= batchSize || closed || waiters.size > 0)
        await new Promise<void>((resolve) => setImmediate(resolve))
      else await new Promise<void>((resolve) => setTimeout(resolve, flushDelayMs))
      for (;;) {
        const batch: Pending[] = []
        for (let item = take(); item; item = batch.length < batchSize ? take() : undefined) batch.push(item)
        if (batch.length === 0) break
        writing += batch.length
        try {
          await writeBatch(batch)
        } finally {
          writing -= batch.length
        }
      }
    } catch (error) {
      fail(error)
    } finally {
      active--
      if (waiting() > 0) schedule()
      else notifyIfIdle()
    }
  }

  function schedule(): void {
    let toStart = Math.min(consumers - active, Math.ceil(waiting() / batchSize))
    while (toStart-- > 0) {
      active++
      void consume()
    }
  }

  const admit = (record: AuditRecord, secrets: readonly string[], sizeHint: number | undefined): void => {
    if (closed) return writeNow(record, secrets, LOW_QUALITY)
    const length = queueLength()
    if (length >= capacity) {
      if (overflow.length >= overflowCapacity) return writeNow(degrade(record, 'sync'), secrets, SYNC_QUALITY)
      const item = prepare(degrade(record, 'overflow'), secrets)
      if (!item) return
      // Overflow records are small and bounded in number; they do not count against maxQueuedBytes.
      item.bytes = 0
      overflow.push(item)
      counts.overflowed++
      metric('audit_overflow_total')
    } else {
      let rec = record
      // Judged on an estimate, before any serialising: a record over the limit is never serialised in full.
      const estimate =
        rec.kind === 'metadata'
          ? METADATA_BYTES
          : sizeHint !== undefined && Number.isFinite(sizeHint) && sizeHint >= 0
            ? METADATA_BYTES + sizeHint
            : estimateAuditSize(rec)
      if (rec.kind === 'full' && (length + 1 > capacity * 0.9 || queuedBytes + estimate > maxQueuedBytes))
        rec = degrade(rec, 'pressure')
      const item = prepare(rec, secrets)
      if (!item) return
      queue.push(item)
      queuedBytes += item.bytes
    }
    metric('audit_queue_depth', waiting())
    schedule()
  }

  const drain = (timeoutMs: number): Promise<boolean> => {
    if (waiting() === 0 && active === 0) return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        waiters.delete(done)
        resolve(true)
      }
      const timer = setTimeout(() => {
        waiters.delete(done)
        resolve(false)
      }, timeoutMs)
      waiters.add(done)
    })
  }

  return {
    enqueue(record, secrets = [], sizeHint) {
      try {
        if (options.mode === 'off') return
        if (!record || !isSafeRequestId(record.request_id)) {
          return fail(new Error('audit record refused: unsafe request id'))
        }
        let rec = record
        if (options.mode === 'metadata' || rec.kind !== 'full') rec = stripAuditBodies(rec, 'requested')
        admit(rec, Array.isArray(secrets) ? secrets : [], sizeHint)
      } catch (error) {
        fail(error)
      }
    },
    drain,
    stats: () => ({ queued: waiting(), inFlight: writing, queuedBytes, ...counts }),
    async close(timeoutMs = 30_000) {
      closed = true
      const drained = await drain(timeoutMs)
      // Records that arrive later are written on the calling thread; the workers are no longer needed.
      if (drained) await workers.close()
      return drained
    },
  }
}
