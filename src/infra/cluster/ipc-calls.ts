import type { Worker } from 'node:cluster'

/**
 * Calls from a cluster worker to its primary over the cluster's IPC channel (docs/architecture.md, "Several workers
 * and hosts"): the rate limiter the primary owns without Redis, and the metrics it aggregates. Messages go with the
 * `advanced` serialization (bigints pass), set by the primary before it forks.
 */
interface IpcCall {
  gw: 'call'
  service: string
  id: number
  method: string
  args: unknown[]
}

interface IpcReply {
  gw: 'reply'
  service: string
  id: number
  ok: boolean
  value?: unknown
  error?: string
}

const isCall = (m: unknown): m is IpcCall => (m as IpcCall | null)?.gw === 'call'
const isReply = (m: unknown): m is IpcReply => (m as IpcReply | null)?.gw === 'reply'

export type IpcCaller = (method: string, ...args: unknown[]) => Promise<unknown>

/** The worker's side of one service: each call resolves with the primary's answer, or rejects with its error. */
export function createIpcCaller(service: string, timeoutMs = 10_000): IpcCaller {
  const send = process.send?.bind(process)
  if (!send) throw new Error('IPC calls need a cluster worker (no IPC channel to a primary)')
  let next = 0
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  process.on('message', (m: unknown) => {
    if (!isReply(m) || m.service !== service) return
    const waiting = pending.get(m.id)
    if (!waiting) return
    pending.delete(m.id)
    if (m.ok) waiting.resolve(m.value)
    else waiting.reject(new Error(m.error ?? 'the primary refused the call'))
  })
  return (method, ...args) =>
    new Promise((resolve, reject) => {
      const id = next++
      // A primary that never answers (stopping) must not hold a request forever.
      const timer = setTimeout(() => {
        if (pending.delete(id)) reject(new Error(`the primary did not answer ${service}.${method}`))
      }, timeoutMs)
      timer.unref()
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer)
          resolve(v)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
      const call: IpcCall = { gw: 'call', service, id, method, args }
      send(call, undefined, undefined, (err: Error | null) => {
        if (err && pending.delete(id)) {
          clearTimeout(timer)
          reject(err)
        }
      })
    })
}

export type IpcHandlers = Record<string, (worker: Worker, ...args: never[]) => unknown>

/** The primary's side: answers a worker's calls to `service` with `handlers` (sync or async). */
export function answerIpcCalls(worker: Worker, service: string, handlers: IpcHandlers): void {
  worker.on('message', (m: unknown) => {
    if (!isCall(m) || m.service !== service) return
    const handler = handlers[m.method] as ((w: Worker, ...a: unknown[]) => unknown) | undefined
    const reply = (r: Omit<IpcReply, 'gw' | 'service' | 'id'>) => {
      if (!worker.isConnected()) return
      const message: IpcReply = { gw: 'reply', service, id: m.id, ...r }
      worker.send(message)
    }
    if (!handler) {
      reply({ ok: false, error: `unknown call ${service}.${m.method}` })
      return
    }
    try {
      const value = handler(worker, ...m.args)
      if (value instanceof Promise)
        value.then(
          (v: unknown) => reply({ ok: true, value: v }),
          (e: unknown) => reply({ ok: false, error: e instanceof Error ? e.message : String(e) }),
        )
      else reply({ ok: true, value })
    } catch (e) {
      reply({ ok: false, error: e instanceof Error ? e.message : String(e) })
    }
  })
}
