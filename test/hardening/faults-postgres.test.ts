/**
 * Fault injection in front of PostgreSQL (issue 15, acceptance 3; catalogue #34, #79, #81): the gateway reaches
 * its database through a TCP fault proxy that refuses, black-holes, slows or cuts the database's answers.
 * For each fault: every request ends within its configured bound with the documented status (proxied requests
 * fail closed with 503 in the client's protocol, the admin API with 503, `/ready` says not ready, `/health` answers
 * at once); the gateway recovers by itself when the database returns (the pool reconnects, no restart); and no
 * money is lost (usage rows, ledger, balances and reservations reconcile). Each step pays with a user of its own,
 * so that its money is checked apart from the others'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from '../support/start-fault-proxy.ts'
import { requireService } from '../support/services.ts'
import { startFaultGateway, type Answer, type FaultGateway, type Payer } from '../support/fault-fixture.ts'
import { READY_PROBE_MS } from '../../src/infra/db/probe-database.ts'

const pgUp = await requireService('PostgreSQL', '127.0.0.1', 5432)

const CONNECT_TIMEOUT_MS = 1000
/** /health answers from memory; the bound only allows for a busy event loop on a loaded machine. */
const HEALTH_MS = 1000
const QUERY_TIMEOUT_MS = 1500
/** Scheduling slack on a loaded 2-core machine. */
const MARGIN_MS = 1500
/**
 * Upper bound of a request while the database is faulty: one database step waits at most for a connection
 * (DATABASE_CONNECT_TIMEOUT_MS) and then for its statement (DATABASE_QUERY_TIMEOUT_MS).
 */
const BOUND_MS = CONNECT_TIMEOUT_MS + QUERY_TIMEOUT_MS + MARGIN_MS

function expectServiceUnavailable(r: Answer, protocol: 'openai' | 'anthropic' | 'admin') {
  expect(r.failure, `no answer after ${Math.round(r.ms)} ms`).toBeUndefined()
  expect(r.status, r.text).toBe(503)
  expect(r.ms).toBeLessThan(BOUND_MS)
  const body = JSON.parse(r.text) as Record<string, unknown>
  if (protocol === 'openai') expect(body).toMatchObject({ error: { type: 'server_error' } })
  if (protocol === 'anthropic')
    expect(body).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } })
  if (protocol === 'admin') expect(body).toMatchObject({ error: { code: 'service_unavailable' } })
  // Nothing about the database's address or the driver's message reaches the client.
  expect(r.text).not.toMatch(/127\.0\.0\.1|5432|ECONN|timeout exceeded|terminated/i)
}

describe.skipIf(!pgUp)('PostgreSQL faults (issue 15 faults; catalogue #34, #79, #81)', () => {
  let proxy: FaultProxy
  let g: FaultGateway

  beforeAll(async () => {
    proxy = await startFaultProxy({ host: '127.0.0.1', port: 5432 })
    g = await startFaultGateway('postgres', {
      databaseProxy: proxy,
      env: {
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      },
    })
  })
  afterAll(async () => {
    await proxy?.restore()
    await g?.close()
    await proxy?.close()
  })

  /** A new payer whose key, routing and prices are cached, as on a gateway that has been serving. */
  async function warmPayer(): Promise<Payer> {
    const p = await g.newPayer()
    expect((await p.chat()).status).toBe(200)
    // Nothing still in flight: the step's requests meet the fault from their start.
    await g.finished()
    return p
  }

  /** While the fault holds: proxied requests on both surfaces, the admin API, /ready and /health, all at once. */
  async function duringFault(p: Payer) {
    const [chats, messages, adminList, ready, health] = await Promise.all([
      Promise.all([p.chat(), p.chat({ stream: true }), p.chat()]),
      p.messages(),
      g.call('GET', '/admin/users', { headers: { 'x-admin-key': g.secrets.adminKey } }),
      g.call('GET', '/ready'),
      g.call('GET', '/health'),
    ])
    for (const r of chats) expectServiceUnavailable(r, 'openai')
    expectServiceUnavailable(messages, 'anthropic')
    expectServiceUnavailable(adminList, 'admin')
    expect(ready.failure).toBeUndefined()
    expect(ready.status).toBe(503)
    expect(ready.ms).toBeLessThan(READY_PROBE_MS + MARGIN_MS)
    expect(JSON.parse(ready.text)).toMatchObject({ status: 'not_ready', database: 'unreachable' })
    // Liveness never waits on a dependency.
    expect(health.status).toBe(200)
    expect(health.ms).toBeLessThan(HEALTH_MS)
  }

  /** After the fault: the same gateway process serves again on its own, and the money adds up. */
  async function recovers(p: Payer) {
    await expect
      .poll(async () => (await p.chat({ giveUpMs: BOUND_MS })).status, { timeout: 15_000, interval: 200 })
      .toBe(200)
    expect((await p.chat({ stream: true })).status).toBe(200)
    expect((await p.messages()).status).toBe(200)
    expect((await g.call('GET', '/ready')).status).toBe(200)
    await g.finished()
    await expect.poll(() => p.expectMoneyReconciled().then(() => true), { timeout: 10_000 }).toBe(true)
  }

  it('refused (database stopped): fails closed with 503 at once, then reconnects by itself', async () => {
    const p = await warmPayer()
    await proxy.refuse()
    try {
      await duringFault(p)
    } finally {
      await proxy.restore()
    }
    await recovers(p)
  })

  it('black-holed (accepts, never answers): 503 within the bound, never a hang; then recovers', async () => {
    const p = await warmPayer()
    await proxy.blackHole()
    try {
      await duringFault(p)
      // A second round: connections that timed out were dropped, not handed back to wait forever.
      await duringFault(p)
    } finally {
      await proxy.restore()
    }
    await recovers(p)
  })

  it('reset mid-response (every answer cut): 503, nothing held, then recovers', async () => {
    const p = await warmPayer()
    await proxy.resetMidResponse({ afterBytes: 0 })
    try {
      await duringFault(p)
    } finally {
      await proxy.restore()
    }
    await recovers(p)
  })

  it('the answer to a reservation is lost after the database wrote it: the hold is released, not kept', async () => {
    const p = await warmPayer()
    // One request alone: its reservation is one statement that the database runs and commits, whose answer
    // never comes back. The gateway cannot know whether it was written.
    await proxy.resetMidResponse({ afterBytes: 0 })
    let r: Answer
    try {
      r = await p.chat()
    } finally {
      await proxy.restore()
    }
    expectServiceUnavailable(r, 'openai')
    await recovers(p)
  })

  it('gone while a request is with the provider: the answer is served and billed once the database is back', async () => {
    const p = await warmPayer()
    const sent = g.upstream.requests.length
    // The provider takes 1.5 s; admission (a database write) is over once the request reached it.
    const pending = p.chat({ headers: { 'x-fake-scenario': 'delay:1500' } })
    await expect.poll(() => g.upstream.requests.length, { timeout: 5000, interval: 10 }).toBeGreaterThan(sent)
    await proxy.refuse()
    let answer: Answer
    try {
      answer = await pending
      // The settlement met the database down; the money is still owed, and nothing may be lost.
      await g.finished()
    } finally {
      await proxy.restore()
    }
    expect(answer.status, answer.text).toBe(200)
    await recovers(p)
  })

  it('slow (+200 ms per packet): requests still succeed, money exact', async () => {
    const p = await warmPayer()
    await proxy.latency(200)
    try {
      const rs = await Promise.all([p.chat(), p.chat({ stream: true }), p.messages()])
      for (const r of rs) expect(r.status, r.text).toBe(200)
      const health = await g.call('GET', '/health')
      expect(health.ms).toBeLessThan(HEALTH_MS)
    } finally {
      await proxy.restore()
    }
    await recovers(p)
  })

  it('the pool exhausted by a black hole: queued requests get a 503 in bounded time, not an endless wait (#79)', async () => {
    const p = await warmPayer()
    await proxy.blackHole()
    try {
      // Far more requests than the pool has connections; each waits at most for a connection and its statement.
      const rs = await Promise.all(Array.from({ length: 30 }, () => p.chat()))
      for (const r of rs) expectServiceUnavailable(r, 'openai')
    } finally {
      await proxy.restore()
    }
    await recovers(p)
  })
})

describe.skipIf(!pgUp)(
  'PostgreSQL black-holed with no statement bound: /ready still answers (catalogue #81)',
  () => {
    let proxy: FaultProxy
    let g: FaultGateway

    beforeAll(async () => {
      proxy = await startFaultProxy({ host: '127.0.0.1', port: 5432 })
      g = await startFaultGateway('postgres', {
        databaseProxy: proxy,
        env: { DATABASE_QUERY_TIMEOUT_MS: '0' },
      })
    })
    afterAll(async () => {
      await proxy?.restore()
      await g?.close()
      await proxy?.close()
    })

    it('answers not ready within its own probe bound, while /health answers at once', async () => {
      expect((await g.call('GET', '/ready')).status).toBe(200)
      await proxy.blackHole()
      try {
        const [ready, health] = await Promise.all([g.call('GET', '/ready'), g.call('GET', '/health')])
        expect(ready.failure).toBeUndefined()
        expect(ready.status).toBe(503)
        expect(ready.ms).toBeLessThan(READY_PROBE_MS + MARGIN_MS)
        expect(JSON.parse(ready.text)).toMatchObject({ status: 'not_ready', database: 'unreachable' })
        expect(health.status).toBe(200)
        expect(health.ms).toBeLessThan(HEALTH_MS)
      } finally {
        await proxy.restore()
      }
      await expect.poll(async () => (await g.call('GET', '/ready')).status, { timeout: 10_000 }).toBe(200)
    })
  },
)
