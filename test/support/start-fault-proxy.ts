import net from 'node:net'
import { freePortBelowEphemeral } from './services.ts'

/**
 * Test helper: a TCP proxy in front of a real service (PostgreSQL, Redis, slapd, an HTTP upstream) that injects the
 * network faults a gateway meets in production. Point the gateway's URL at `host:port` of the proxy, then:
 *
 * - `refuse()`: the service is down — every open connection is reset and connecting gets ECONNREFUSED;
 * - `blackHole()`: the service hangs (SIGSTOP, `docker pause`, a dropped route) — connections are accepted and
 *   kept, nothing passes in either direction; bytes are held and delivered in order by `restore()`, as TCP would
 *   deliver them once the path is back;
 * - `latency(ms)`: every chunk in both directions arrives `ms` later, order kept;
 * - `resetMidResponse({ afterBytes })`: requests pass, then each connection is reset (RST) once the service has
 *   sent it `afterBytes` more bytes — the answer is cut in the middle (0: before its first byte);
 * - `restore()`: everything flows again (listening again after `refuse`).
 */
export interface FaultProxy {
  host: string
  port: number
  /** `${scheme}://127.0.0.1:${port}${rest}` */
  url(scheme: string, rest?: string): string
  /** The fault in force. */
  readonly fault: Fault
  /** Connections accepted since start. */
  readonly accepted: number
  /** Connections their clients hold open now (a client that closed its side no longer counts, even while the
   * black hole holds its goodbye). */
  readonly open: number
  /** Connections this proxy reset because of `resetMidResponse`. */
  readonly resets: number
  refuse(): Promise<void>
  blackHole(): Promise<void>
  latency(ms: number): Promise<void>
  resetMidResponse(opts?: { afterBytes?: number }): Promise<void>
  restore(): Promise<void>
  /** Resets every open connection now (a restarted server: old connections are gone); new ones pass. */
  resetConnections(): void
  close(): Promise<void>
}

export type Fault =
  | { kind: 'none' }
  | { kind: 'refuse' }
  | { kind: 'black-hole' }
  | { kind: 'latency'; ms: number }
  | { kind: 'reset'; afterBytes: number }

type Item = { chunk: Buffer; at: number } | { end: true; at: number }

/** One direction of one connection: chunks waiting for their delivery time (Infinity while black-holed). */
interface Lane {
  queue: Item[]
  timer: NodeJS.Timeout | undefined
}

interface Pair {
  client: net.Socket
  upstream: net.Socket | null
  toUpstream: Lane
  toClient: Lane
  /** Bytes of the service's answer still let through before the reset (reset fault only). */
  budget: number | null
  /** The answer was cut: nothing more passes; the reset follows. */
  cut: boolean
  /** The client closed its side (sent FIN). */
  clientEnded: boolean
  closed: boolean
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let fault: Fault = { kind: 'none' }
  let accepted = 0
  let resets = 0
  const pairs = new Set<Pair>()

  const delayFor = (): number =>
    fault.kind === 'black-hole' ? Infinity : fault.kind === 'latency' ? Date.now() + fault.ms : Date.now()

  const kill = (p: Pair, reset: boolean) => {
    if (p.closed) return
    p.closed = true
    pairs.delete(p)
    clearTimeout(p.toClient.timer)
    clearTimeout(p.toUpstream.timer)
    if (reset) p.client.resetAndDestroy()
    else p.client.destroy()
    p.upstream?.destroy()
  }

  const connectUpstream = (p: Pair): net.Socket => {
    if (p.upstream) return p.upstream
    const up = net.connect(target)
    p.upstream = up
    up.setNoDelay(true)
    up.on('data', (chunk: Buffer) => push(p, p.toClient, { chunk, at: delayFor() }))
    up.on('end', () => push(p, p.toClient, { end: true, at: delayFor() }))
    // The service went away (or refused): the client sees its connection reset, as it would without the proxy.
    up.on('error', () => kill(p, true))
    up.on('close', () => {
      if (!p.cut && p.toClient.queue.length === 0) kill(p, false)
    })
    return up
  }

  const push = (p: Pair, lane: Lane, item: Item) => {
    if (p.closed || p.cut) return
    // Never overtake what is already queued (a latency that was just lifted, a black hole's held bytes).
    const last = lane.queue.at(-1)
    if (last && last.at > item.at) item.at = last.at
    lane.queue.push(item)
    drain(p, lane)
  }

  const write = (p: Pair, lane: Lane, item: Item): boolean => {
    const toClient = lane === p.toClient
    const sink = toClient ? p.client : connectUpstream(p)
    if ('end' in item) {
      sink.end()
      if (toClient && p.upstream?.destroyed) kill(p, false)
      return true
    }
    const chunk = item.chunk
    if (toClient && p.budget !== null) {
      if (chunk.length >= p.budget) {
        // Deliver exactly up to the cut, then reset: the answer ends in its middle. The reset waits a moment
        // after the last byte, or the client's kernel may take data and reset together for a plain end of stream.
        const head = chunk.subarray(0, p.budget)
        p.budget = 0
        p.cut = true
        resets++
        p.upstream?.destroy()
        if (head.length > 0) p.client.write(head, () => setTimeout(() => kill(p, true), 20))
        else kill(p, true)
        return false
      }
      p.budget -= chunk.length
    }
    sink.write(chunk)
    return true
  }

  const drain = (p: Pair, lane: Lane) => {
    clearTimeout(lane.timer)
    lane.timer = undefined
    const now = Date.now()
    while (lane.queue.length > 0 && !p.closed && !p.cut) {
      const next = lane.queue[0]
      if (next.at > now) {
        if (next.at !== Infinity) lane.timer = setTimeout(() => drain(p, lane), next.at - now)
        return
      }
      lane.queue.shift()
      if (!write(p, lane, next)) return
    }
    // The service closed while its last bytes were still delayed: now they are out, so is the connection.
    if (lane === p.toClient && lane.queue.length === 0 && p.upstream?.destroyed && !p.cut) kill(p, false)
  }

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    accepted++
    client.setNoDelay(true)
    const p: Pair = {
      client,
      upstream: null,
      toUpstream: { queue: [], timer: undefined },
      toClient: { queue: [], timer: undefined },
      budget: fault.kind === 'reset' ? fault.afterBytes : null,
      cut: false,
      clientEnded: false,
      closed: false,
    }
    pairs.add(p)
    client.on('error', () => kill(p, false))
    client.on('close', () => kill(p, false))
    client.on('data', (chunk: Buffer) => push(p, p.toUpstream, { chunk, at: delayFor() }))
    client.on('end', () => {
      p.clientEnded = true
      push(p, p.toUpstream, { end: true, at: delayFor() })
    })
    // A black hole accepts the connection and never answers: the service is not even asked.
    if (fault.kind !== 'black-hole') connectUpstream(p)
  })

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  // Below the ephemeral range, so that while it refuses (not listening) no outgoing connection takes the port.
  let port = 0
  for (let tries = 0; port === 0; tries++) {
    const candidate = await freePortBelowEphemeral()
    try {
      await listen(candidate)
      port = candidate
    } catch (err) {
      if (tries > 20) throw err
    }
  }

  const resetAll = () => {
    for (const p of [...pairs]) kill(p, true)
  }

  const set = async (next: Fault) => {
    const wasRefusing = fault.kind === 'refuse'
    fault = next
    if (next.kind === 'refuse') {
      if (!server.listening) return
      const closing = new Promise<void>((resolve) => server.close(() => resolve()))
      resetAll()
      await closing
      return
    }
    if (wasRefusing && !server.listening) await listen(port)
    for (const p of pairs) {
      p.budget = next.kind === 'reset' ? next.afterBytes : null
      if (next.kind === 'black-hole') continue
      // Held bytes go now (in order); a connection accepted in the black hole meets its service only now.
      for (const lane of [p.toUpstream, p.toClient]) {
        for (const item of lane.queue) if (item.at === Infinity) item.at = Date.now()
      }
      if (!p.upstream) connectUpstream(p)
      drain(p, p.toUpstream)
      drain(p, p.toClient)
    }
  }

  return {
    host: '127.0.0.1',
    port,
    url: (scheme, rest = '') => `${scheme}://127.0.0.1:${port}${rest}`,
    get fault() {
      return fault
    },
    get accepted() {
      return accepted
    },
    get open() {
      return [...pairs].filter((p) => !p.clientEnded).length
    },
    get resets() {
      return resets
    },
    refuse: () => set({ kind: 'refuse' }),
    blackHole: () => set({ kind: 'black-hole' }),
    latency: (ms) => set({ kind: 'latency', ms }),
    resetMidResponse: (opts = {}) => set({ kind: 'reset', afterBytes: opts.afterBytes ?? 0 }),
    restore: () => set({ kind: 'none' }),
    resetConnections: resetAll,
    close: async () => {
      resetAll()
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A server that accepts connections and never answers. */
export async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('error', () => s.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    url: `redis://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A port nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `redis://127.0.0.1:${port}`
}
