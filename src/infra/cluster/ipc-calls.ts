import type { Worker } from 'node:cluster'
import { errorMessage } from '../../domain/errors.ts'

/**
 * Calls from a cluster worker to its primary over the cluster's IPC channel (docs/architecture.md, "Several workers
 * and hosts"): the rate limiter the primary owns without Redis, and the metrics it aggregates. Messages go with the
 * `advanced` serialization (bigints pass), set by the primary before it forks.
 *
 * Each message costs a write and a deserialisation on both sides, far more than the limiter's own work, so the
 * calls made in one turn of the event loop travel as one message and so do the answers: under load a worker's
 * admissions cost a few µs each instead of tens.
 */
interface IpcCall {
  service: string
  /** -1: a notice, no answer wanted. */
  id: number
  method: string
  args: unknown[]
}

interface IpcReply {
  service: string
  id: number
  ok: boolean
  value?: unknown
  error?: string
}

interface CallBatch {
  gw: 'calls'
  calls: IpcCall[]
}

interface ReplyBatch {
  gw: 'replies'
  replies: IpcReply[]
}

const isCalls = (m: unknown): m is CallBatch => (m as CallBatch | null)?.gw === 'calls'
const isReplies = (m: unknown): m is ReplyBatch => (m as ReplyBatch | null)?.gw === 'replies'

/** Collects items and hands them to `flush` together at the end of this turn of the event loop. */
function createOutbox<T>(flush: (items: T[]) => void): (item: T) => void {
  let queued: T[] | null = null
  return (item) => {
    if (queued) {
      queued.push(item)
      return
    }
    queued = [item]
    setImmediate(() => {
      const items = queued!
      queued = null
      flush(items)
    })
  }
}

type Pending = Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>

/** The worker's one outbox and the calls waiting on their answers (ids unique in this process, whatever the service). */
let workerSide: { post: (call: IpcCall) => void; pending: Pending; nextId: () => number } | null = null

function connectWorkerSide() {
  if (workerSide) return workerSide
  const send = process.send?.bind(process)
  if (!send) throw new Error('IPC calls need a cluster worker (no IPC channel to a primary)')
  const pending: Pending = new Map()
  const fail = (calls: IpcCall[], err: Error) => {
    for (const c of calls) pending.get(c.id)?.reject(err)
  }
  const post = createOutbox<IpcCall>((calls) => {
    if (!process.connected) return fail(calls, new Error('the IPC channel to the primary is closed'))
    const batch: CallBatch = { gw: 'calls', calls }
    send(batch, undefined, undefined, (err: Error | null) => {
      if (err) fail(calls, err)
    })
  })
  process.on('message', (m: unknown) => {
    if (!isReplies(m)) return
    for (const r of m.replies) {
      const waiting = pending.get(r.id)
      if (!waiting) continue
      if (r.ok) waiting.resolve(r.value)
      else waiting.reject(new Error(r.error ?? 'the primary refused the call'))
    }
  })
  let next = 0
  workerSide = { post, pending, nextId: () => next++ }
  return workerSide
}

export interface IpcCaller {
  (method: string, ...args: unknown[]): Promise<unknown>
  /** A call whose answer nobody waits for (sent in order with the others; lost if the primary is gone). */
  notify(method: string, ...args: unknown[]): void
}

/** The worker's side of one service: each call resolves with the primary's answer, or rejects with its error. */
export function createIpcCaller(service: string, timeoutMs = 10_000): IpcCaller {
  const side = connectWorkerSide()
  const pending = side.pending
  const call = (method: string, ...args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const id = side.nextId()
      // A primary that never answers (stopping) must not hold a request forever.
      const timer = setTimeout(() => {
        if (pending.delete(id)) reject(new Error(`the primary did not answer ${service}.${method}`))
      }, timeoutMs)
      timer.unref()
      pending.set(id, {
        resolve: (v) => {
          pending.delete(id)
          clearTimeout(timer)
          resolve(v)
        },
        reject: (e) => {
          pending.delete(id)
          clearTimeout(timer)
          reject(e)
        },
      })
      side.post({ service, id, method, args })
    })
  return Object.assign(call, {
    notify: (method: string, ...args: unknown[]) => side.post({ service, id: -1, method, args }),
  })
}

export type IpcHandlers = Record<string, (worker: Worker, ...args: never[]) => unknown>

/** Each worker's outbox of answers (one per worker, whichever services answer). */
const replyOutboxes = new WeakMap<Worker, (reply: IpcReply) => void>()

function replyOutbox(worker: Worker) {
  let post = replyOutboxes.get(worker)
  if (post) return post
  post = createOutbox<IpcReply>((replies) => {
    if (!worker.isConnected()) return
    const batch: ReplyBatch = { gw: 'replies', replies }
    worker.send(batch, undefined, () => undefined)
  })
  replyOutboxes.set(worker, post)
  return post
}

/** The primary's side: answers a worker's calls to `service` with `handlers` (sync or async). */
export function answerIpcCalls(worker: Worker, service: string, handlers: IpcHandlers): void {
  const post = replyOutbox(worker)
  const answer = (m: IpcCall) => {
    const handler = handlers[m.method] as ((w: Worker, ...a: unknown[]) => unknown) | undefined
    const reply = (r: Omit<IpcReply, 'service' | 'id'>) => {
      if (m.id >= 0) post({ service, id: m.id, ...r })
    }
    const fail = (e: unknown) => reply({ ok: false, error: errorMessage(e) })
    if (!handler) return fail(new Error(`unknown call ${service}.${m.method}`))
    try {
      const value = handler(worker, ...m.args)
      if (value instanceof Promise) value.then((v: unknown) => reply({ ok: true, value: v }), fail)
      else reply({ ok: true, value })
    } catch (e) {
      fail(e)
    }
  }
  worker.on('message', (m: unknown) => {
    if (!isCalls(m)) return
    for (const call of m.calls) if (call.service === service) answer(call)
  })
}
