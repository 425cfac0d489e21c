import net from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from './start-fault-proxy.ts'

/** The service behind the proxy: echoes every chunk; "big" answers 20 bytes. */
async function startEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => undefined)
    s.on('data', (d: Buffer) => s.write(d.toString() === 'big' ? 'abcdefghijklmnopqrst' : d))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A client connection that collects what it receives and how it ended. */
function connect(proxy: FaultProxy) {
  const socket = net.connect({ host: proxy.host, port: proxy.port })
  const state = { received: '', error: null as string | null, closed: false, connected: false }
  socket.on('connect', () => (state.connected = true))
  socket.on('data', (d: Buffer) => (state.received += d.toString()))
  socket.on('error', (e: NodeJS.ErrnoException) => (state.error = e.code ?? e.message))
  socket.on('close', () => (state.closed = true))
  return { socket, state }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('startFaultProxy', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>
  let proxy: FaultProxy
  const clients: net.Socket[] = []
  const open = () => {
    const c = connect(proxy)
    clients.push(c.socket)
    return c
  }

  beforeAll(async () => {
    echo = await startEcho()
    proxy = await startFaultProxy({ host: '127.0.0.1', port: echo.port })
  })
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    await proxy.restore()
  })
  afterAll(async () => {
    await proxy.close()
    await echo.close()
  })

  it('passes bytes both ways while there is no fault', async () => {
    const c = open()
    c.socket.write('hello')
    await expect.poll(() => c.state.received).toBe('hello')
    expect(proxy.url('redis')).toBe(`redis://127.0.0.1:${proxy.port}`)
  })

  it('refuse: resets open connections, refuses new ones, and listens again on restore', async () => {
    const before = open()
    before.socket.write('x')
    await expect.poll(() => before.state.received).toBe('x')
    await proxy.refuse()
    await expect.poll(() => before.state.closed).toBe(true)
    expect(before.state.error).toBe('ECONNRESET')
    const refused = open()
    await expect.poll(() => refused.state.error).toBe('ECONNREFUSED')
    await proxy.restore()
    const after = open()
    after.socket.write('back')
    await expect.poll(() => after.state.received).toBe('back')
  })

  it('black hole: accepts, answers nothing on new or open connections, delivers in order on restore', async () => {
    const old = open()
    old.socket.write('1')
    await expect.poll(() => old.state.received).toBe('1')
    await proxy.blackHole()
    const fresh = open()
    await expect.poll(() => fresh.state.connected).toBe(true)
    old.socket.write('2')
    old.socket.write('3')
    fresh.socket.write('4')
    await sleep(200)
    expect(old.state.received).toBe('1')
    expect(fresh.state.received).toBe('')
    expect(old.state.closed || fresh.state.closed).toBe(false)
    await proxy.restore()
    await expect.poll(() => old.state.received).toBe('123')
    await expect.poll(() => fresh.state.received).toBe('4')
  })

  it('latency: every chunk arrives late in each direction, in order', async () => {
    const c = open()
    c.socket.write('a')
    await expect.poll(() => c.state.received).toBe('a')
    await proxy.latency(150)
    const t0 = performance.now()
    for (const ch of 'bcd') c.socket.write(ch)
    await expect.poll(() => c.state.received, { timeout: 5000 }).toBe('abcd')
    // 150 ms to the service and 150 ms back.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290)
  })

  it('reset mid-response: lets the request through, cuts the answer after N bytes with a reset', async () => {
    await proxy.resetMidResponse({ afterBytes: 5 })
    const c = open()
    c.socket.write('big')
    await expect.poll(() => c.state.closed).toBe(true)
    expect(c.state.received).toBe('abcde')
    expect(c.state.error).toBe('ECONNRESET')
    expect(proxy.resets).toBeGreaterThanOrEqual(1)
    await proxy.restore()
    const after = open()
    after.socket.write('big')
    await expect.poll(() => after.state.received).toBe('abcdefghijklmnopqrst')
  })

  it('resetConnections: a restarted service drops every open connection, new ones pass', async () => {
    const c = open()
    c.socket.write('x')
    await expect.poll(() => c.state.received).toBe('x')
    proxy.resetConnections()
    await expect.poll(() => c.state.closed).toBe(true)
    expect(proxy.open).toBe(0)
    const next = open()
    next.socket.write('y')
    await expect.poll(() => next.state.received).toBe('y')
  })
})
