import net from 'node:net'

/** Test helper: a TCP proxy in front of Redis that can black-hole traffic (like SIGSTOP) or go down. */
export interface FaultProxy {
  url: string
  /** Holds every byte in both directions until `resume` (connections stay open, nothing answers). */
  pause(): void
  resume(): void
  /** Kills every connection and refuses new ones (Redis stopped). */
  stop(): Promise<void>
  /** Accepts again on the same port. */
  start(): Promise<void>
  close(): Promise<void>
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let paused = false
  let held: (() => void)[] = []
  const sockets = new Set<net.Socket>()
  const track = (s: net.Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => s.destroy())
  }
  const forward = (from: net.Socket, to: net.Socket) =>
    from.on('data', (chunk) => {
      if (paused) held.push(() => to.write(chunk))
      else to.write(chunk)
    })
  const server = net.createServer((client) => {
    const upstream = net.connect(target)
    track(client)
    track(upstream)
    forward(client, upstream)
    forward(upstream, client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()))
  await listen(0)
  const port = (server.address() as net.AddressInfo).port
  const stop = async () => {
    const closing = closeServer()
    for (const s of sockets) s.destroy()
    held = []
    await closing
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pause: () => void (paused = true),
    resume: () => {
      paused = false
      const run = held
      held = []
      for (const f of run) f()
    },
    stop,
    start: () => listen(port),
    close: async () => {
      if (server.listening) await stop()
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
