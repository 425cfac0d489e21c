/**
 * authenticateLdap against hostile or broken peers that need no slapd: silent servers, closed ports, resets,
 * garbage, and a fake directory that says "yes" to every bind (the worst case for empty passwords).
 */
import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { authenticateLdap } from './authenticate-ldap.ts'
import type { LdapSettings } from './ldap-settings.ts'

interface BindSeen {
  name: string
  password: string
}

interface FakeServer {
  url: string
  connections: number
  binds: BindSeen[]
  openSockets(): number
  close(): Promise<void>
}

type Behaviour = 'silent' | 'reset' | 'garbage' | { bindResultCode: number }

/** Reads one BER TLV header; returns null when more bytes are needed. */
function readHeader(buf: Buffer, offset: number): { tag: number; len: number; start: number } | null {
  if (offset + 2 > buf.length) return null
  const tag = buf[offset]
  let len = buf[offset + 1]
  let start = offset + 2
  if (len & 0x80) {
    const n = len & 0x7f
    if (start + n > buf.length) return null
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]
    start += n
  }
  return { tag, len, start }
}

/**
 * A deliberately tiny LDAP responder: understands BindRequest (records name and password) and UnbindRequest.
 * With `bindResultCode: 0` it accepts every bind, including unauthenticated ones, like a permissive AD.
 */
async function startFake(behaviour: Behaviour): Promise<FakeServer> {
  const sockets = new Set<Socket>()
  const state: FakeServer = {
    url: '',
    connections: 0,
    binds: [],
    openSockets: () => sockets.size,
    close: async () => undefined,
  }
  const server: Server = createServer((socket) => {
    state.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    if (behaviour === 'reset') {
      socket.resetAndDestroy()
      return
    }
    if (behaviour === 'garbage') {
      socket.write(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n\x00\xff\xfe'))
      return
    }
    if (behaviour === 'silent') {
      socket.on('data', () => undefined)
      return
    }
    let pending = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk])
      for (;;) {
        const outer = readHeader(pending, 0)
        if (!outer || outer.start + outer.len > pending.length) return
        const message = pending.subarray(outer.start, outer.start + outer.len)
        pending = pending.subarray(outer.start + outer.len)
        const idHeader = readHeader(message, 0)
        if (!idHeader) return
        const messageId = message.subarray(idHeader.start, idHeader.start + idHeader.len)
        const op = readHeader(message, idHeader.start + idHeader.len)
        if (!op) return
        if (op.tag === 0x42) {
          socket.end()
          return
        }
        if (op.tag !== 0x60) continue
        const version = readHeader(message, op.start)
        if (!version) return
        const name = readHeader(message, version.start + version.len)
        if (!name) return
        const auth = readHeader(message, name.start + name.len)
        if (!auth) return
        state.binds.push({
          name: message.subarray(name.start, name.start + name.len).toString('utf8'),
          password: message.subarray(auth.start, auth.start + auth.len).toString('utf8'),
        })
        // BindResponse: resultCode, matchedDN "", diagnosticMessage "".
        const body = Buffer.from([0x0a, 0x01, behaviour.bindResultCode, 0x04, 0x00, 0x04, 0x00])
        const bindResponse = Buffer.concat([Buffer.from([0x61, body.length]), body])
        const id = Buffer.concat([Buffer.from([0x02, messageId.length]), messageId])
        const inner = Buffer.concat([id, bindResponse])
        socket.write(Buffer.concat([Buffer.from([0x30, inner.length]), inner]))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  state.url = `ldap://127.0.0.1:${port}`
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
  return state
}

async function closedPortUrl(): Promise<string> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const address = srv.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return `ldap://127.0.0.1:${port}`
}

const TIMEOUT_MS = 400
/** Event-loop and teardown slack on a loaded CI machine. */
const MARGIN_MS = 400

function settingsFor(url: string, mode: 'template' | 'search' | 'ad' | 'starttls'): LdapSettings {
  const common = { url, timeoutMs: TIMEOUT_MS, startTls: false }
  switch (mode) {
    case 'template':
      return { ...common, userDnTemplate: 'uid={username},ou=people,dc=example,dc=org' }
    case 'search':
      return {
        ...common,
        baseDn: 'dc=example,dc=org',
        bindDn: 'uid=svc,dc=example,dc=org',
        bindPassword: 'svcpw',
        userFilter: '(uid={username})',
      }
    case 'ad':
      return { ...common, domain: 'EXAMPLE' }
    case 'starttls':
      return { ...common, startTls: true, userDnTemplate: 'uid={username},ou=people,dc=example,dc=org' }
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - started }
}

const MODES = ['template', 'search', 'ad', 'starttls'] as const

describe('authenticateLdap when the directory is unreachable or broken', () => {
  const servers: FakeServer[] = []
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()))
  })
  const fake = async (behaviour: Behaviour) => {
    const s = await startFake(behaviour)
    servers.push(s)
    return s
  }

  it.each(MODES)(
    'a server that accepts TCP and never answers: unavailable within timeoutMs (%s)',
    async (mode) => {
      const silent = await fake('silent')
      const { value, ms } = await timed(() =>
        authenticateLdap(settingsFor(silent.url, mode), 'alice', 'alicepw'),
      )
      expect(value).toEqual({ ok: false, reason: 'unavailable' })
      expect(silent.connections).toBe(1)
      // It really waited for the timeout (it did not fail for some unrelated reason)...
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20)
      // ...and no longer: search-then-bind is several round trips but still one deadline.
      expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
    },
  )

  it.each(MODES)('a closed port: unavailable, fast (%s)', async (mode) => {
    const url = await closedPortUrl()
    const { value, ms } = await timed(() => authenticateLdap(settingsFor(url, mode), 'alice', 'alicepw'))
    expect(value).toEqual({ ok: false, reason: 'unavailable' })
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
  })

  it.each(
    MODES.flatMap((mode) => [
      { behaviour: 'reset' as const, does: 'resets the connection', mode },
      { behaviour: 'garbage' as const, does: 'speaks garbage', mode },
    ]),
  )('a server that $does: unavailable ($mode)', async ({ behaviour, mode }) => {
    const upstream = await fake(behaviour)
    const { value, ms } = await timed(() =>
      authenticateLdap(settingsFor(upstream.url, mode), 'alice', 'alicepw'),
    )
    expect(value).toEqual({ ok: false, reason: 'unavailable' })
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
  })

  it('a blackholed address: unavailable within timeoutMs', async () => {
    // TEST-NET-1 is never routed: depending on the sandbox this is a silent drop or an immediate error.
    const { value, ms } = await timed(() =>
      authenticateLdap(settingsFor('ldap://192.0.2.1:389', 'template'), 'alice', 'alicepw'),
    )
    expect(value).toEqual({ ok: false, reason: 'unavailable' })
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
  })

  it.each(MODES)('closes its socket after a timeout (%s)', async (mode) => {
    const silent = await fake('silent')
    await authenticateLdap(settingsFor(silent.url, mode), 'alice', 'alicepw')
    const deadline = Date.now() + 500
    while (silent.openSockets() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(silent.connections).toBe(1)
    expect(silent.openSockets()).toBe(0)
  })
})

describe('authenticateLdap against a directory that accepts every bind', () => {
  let yes: FakeServer
  beforeAll(async () => {
    yes = await startFake({ bindResultCode: 0 })
  })
  afterAll(async () => {
    await yes.close()
  })
  afterEach(() => {
    yes.binds.length = 0
    yes.connections = 0
  })

  it.each([
    ['empty', ''],
    ['a space', ' '],
    ['whitespace', ' \t\r\n'],
    ['a non-breaking space', '\u00a0'],
    ['NUL-prefixed', '\0x'],
    ['NUL inside', 'pass\0word'],
  ])('a password that is %s is refused before any connection', async (_label, password) => {
    for (const mode of ['template', 'ad'] as const) {
      const result = await authenticateLdap(settingsFor(yes.url, mode), 'alice', password)
      expect(result).toEqual({ ok: false, reason: 'invalid_input' })
    }
    expect(yes.connections).toBe(0)
    expect(yes.binds).toEqual([])
  })

  it.each(['', '   ', 'a'.repeat(257), 'al\0ice', 'al\nice', 'al\rice'])(
    'the username %j is refused before any connection',
    async (name) => {
      const result = await authenticateLdap(settingsFor(yes.url, 'template'), name, 'alicepw')
      expect(result).toEqual({ ok: false, reason: 'invalid_input' })
      expect(yes.connections).toBe(0)
    },
  )

  it.each(['OTHER\\bob', 'bob@other.forest', '*'])(
    'AD mode refuses %j before any connection',
    async (name) => {
      const result = await authenticateLdap(settingsFor(yes.url, 'ad'), name, 'pw')
      expect(result).toEqual({ ok: false, reason: 'invalid_input' })
      expect(yes.connections).toBe(0)
    },
  )

  it('AD mode binds as DOMAIN\\user with the password and returns the trimmed name', async () => {
    const result = await authenticateLdap(settingsFor(yes.url, 'ad'), '  alice ', 's3cret pw')
    expect(result).toEqual({ ok: true, username: 'alice' })
    expect(yes.binds).toEqual([{ name: 'EXAMPLE\\alice', password: 's3cret pw' }])
    expect(yes.connections).toBe(1)
  })

  it('DN-template mode sends the RFC 4514-escaped DN on the wire', async () => {
    const { value: result, ms } = await timed(() =>
      authenticateLdap(settingsFor(yes.url, 'template'), 'admin,ou=admins', 'pw'),
    )
    // The fake says yes to any bind; what matters is which DN it was asked about. It never answers the
    // profile search that follows: the verified login still succeeds, without a profile, at the deadline.
    expect(result).toEqual({ ok: true, username: 'admin,ou=admins' })
    expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS)
    expect(yes.binds).toEqual([
      { name: 'uid=admin\\,ou\\=admins,ou=people,dc=example,dc=org', password: 'pw' },
    ])
  })

  it('a misconfigured service account (empty password) never reaches the server', async () => {
    const settings = { ...settingsFor(yes.url, 'search'), bindPassword: '' }
    const failures: string[] = []
    const result = await authenticateLdap(settings, 'alice', 'alicepw', {
      onFailure: (stage) => failures.push(stage),
    })
    expect(result).toEqual({ ok: false, reason: 'unavailable' })
    expect(failures).toEqual(['settings'])
    expect(yes.connections).toBe(0)
  })

  it('an unreadable CA file ends the attempt before connecting', async () => {
    const settings = { ...settingsFor(yes.url, 'starttls'), caFile: '/nonexistent/ca.pem' }
    const result = await authenticateLdap(settings, 'alice', 'alicepw')
    expect(result).toEqual({ ok: false, reason: 'unavailable' })
    expect(yes.connections).toBe(0)
  })

  it('StartTLS refused by the server: no bind is sent in plaintext', async () => {
    // The fake ignores the StartTLS extended request, so the upgrade times out; the password must stay home.
    const result = await authenticateLdap(settingsFor(yes.url, 'starttls'), 'alice', 'alicepw')
    expect(result).toEqual({ ok: false, reason: 'unavailable' })
    expect(yes.connections).toBe(1)
    expect(yes.binds).toEqual([])
  })
})

describe('authenticateLdap against a directory that rejects every bind', () => {
  it('maps resultCode 49 to invalid_credentials, other codes to unavailable', async () => {
    const no = await startFake({ bindResultCode: 49 })
    const busy = await startFake({ bindResultCode: 51 })
    try {
      expect(await authenticateLdap(settingsFor(no.url, 'ad'), 'alice', 'wrong')).toEqual({
        ok: false,
        reason: 'invalid_credentials',
      })
      expect(await authenticateLdap(settingsFor(busy.url, 'ad'), 'alice', 'alicepw')).toEqual({
        ok: false,
        reason: 'unavailable',
      })
      // A 49 for the service account is a configuration problem, not the user's wrong password.
      expect(await authenticateLdap(settingsFor(no.url, 'search'), 'alice', 'alicepw')).toEqual({
        ok: false,
        reason: 'unavailable',
      })
    } finally {
      await no.close()
      await busy.close()
    }
  })
})
