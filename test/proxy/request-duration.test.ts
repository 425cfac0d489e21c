import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SettlementFacts } from '../../src/billing/settle-request.ts'
import { MODELS, startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'

/**
 * A request's duration (the outcome's durationMs: the audit record's `timings.duration_ms`, the request duration
 * metric, the usage row's `duration_ms`) runs from its arrival to the end of its answer. The settlement that follows
 * the answer — batched, and slow when the database is busy — is not part of what the client waited for.
 */
let f: ProxyFixture
const SETTLEMENT_DELAY_MS = 400

beforeAll(async () => {
  f = await startProxyFixture('sqlite')
  const billing = f.t.proxy.billing
  const settle = billing.settle
  // The database stands for a busy one: every settlement lands SETTLEMENT_DELAY_MS after it was handed over.
  f.t.proxy.billing = {
    ...billing,
    settle: async (facts: SettlementFacts) => {
      await new Promise((r) => setTimeout(r, SETTLEMENT_DELAY_MS))
      return settle(facts)
    },
  }
})
afterAll(async () => {
  await f?.close()
})

describe('request duration', () => {
  it('ends with the answer, not with the settlement after it', async () => {
    const started = performance.now()
    const res = await request(`${f.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${f.key}` },
      body: JSON.stringify({ model: MODELS.openai, messages: [{ role: 'user', content: 'hi' }] }),
    })
    await res.body.text()
    const answeredAfter = performance.now() - started
    expect(res.statusCode).toBe(200)
    const id = res.headers['x-request-id']
    let outcome = f.outcomes.find((o) => o.requestId === id)
    for (let i = 0; i < 400 && !outcome; i++) {
      await new Promise((r) => setTimeout(r, 5))
      outcome = f.outcomes.find((o) => o.requestId === id)
    }
    expect(outcome?.settlement, 'settled').toBeDefined()
    // The answer came well before the settlement landed; its duration is at most what the client saw.
    expect(answeredAfter).toBeLessThan(SETTLEMENT_DELAY_MS)
    expect(outcome!.durationMs).toBeGreaterThan(0)
    expect(outcome!.durationMs).toBeLessThanOrEqual(answeredAfter)
  })
})
