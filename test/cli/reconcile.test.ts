import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '../support/build-test-app.ts'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { testDbKinds } from '../support/test-databases.ts'
import { toBig, toNum } from '../../src/infra/db/convert-row-values.ts'
import { runAnyGateway } from './run-any-gateway.ts'

const kinds = await testDbKinds()

interface ReconcileOutput {
  ok: boolean
  differences_total: number
  by_kind: Record<string, number>
  differences: { kind: string; subject: string; detail: string }[]
  checked: {
    usage_rows: number
    settle_ledger_rows: number
    audit: { usage_rows: number; records: number; pending_settlements: number }
  }
}

describe.each(kinds)('any-gateway reconcile on %s', { timeout: 300_000 }, (kind) => {
  let f: ProxyFixture
  let env: Record<string, string>

  const call = async (key: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await request(`${f.gateway}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    await res.body.text()
    return res.statusCode
  }
  const admin = async (url: string, payload: unknown, jwt = f.adminJwt) => {
    const res = await f.t.inject({ method: 'POST', url, headers: bearer(jwt), payload: payload as object })
    expect(res.statusCode, res.body).toBeLessThan(300)
    return res.json() as Record<string, unknown>
  }
  const chat = (model: string, extra: Record<string, unknown> = {}) => ({
    model,
    messages: [{ role: 'user', content: 'hello there' }],
    ...extra,
  })

  beforeAll(async () => {
    f = await startProxyFixture(kind)
    env = {
      DATA_DIR: f.t.tdb.dir,
      DATABASE_URL: f.t.tdb.url,
      JWT_SECRET: f.t.secrets.jwt,
      ENCRYPTION_KEY: f.t.secrets.encryptionKey,
    }
    for (const model of [MODELS.openai, MODELS.anthropic, MODELS.gemini, 'fo-model']) {
      await admin('/admin/prices', { model_name: model, unit: 'input_token', price_per_unit: 1.5 })
      await admin('/admin/prices', { model_name: model, unit: 'output_token', price_per_unit: 6 })
    }
    // A group whose first channel fails: requests fail over to the second.
    const fo = await admin('/admin/groups', { name: 'fo', priority: 50, all_visible: true })
    for (const [name, url] of [
      ['fo-dead', 'http://127.0.0.1:9/v1'],
      ['fo-live', `${f.upstream.url}/v1`],
    ]) {
      await f.addChannel(
        {
          name,
          provider: 'openai',
          base_url: url,
          api_key: `sk-${name}-canary-0000`,
          models: ['fo-model'],
          weight: name === 'fo-dead' ? 1000 : 1,
        },
        fo.id as string,
      )
    }
    // A package: a key bound to "main" is covered while its rule (one request per user) passes; past it the
    // owner's balance pays, and a user without balance is refused (429).
    await admin('/admin/rate-limits', {
      group_id: f.groupId,
      window_sec: 3600,
      limit_type: 'request_limit',
      value: 1,
    })
    await f.t.createUser('broke', 'broke-password', 'user', 0)
    const brokeJwt = await f.t.login('broke', 'broke-password')
    const brokeKey = (await admin('/user/tokens', { name: 'b', group_id: f.groupId }, brokeJwt)).key as string
    const brokeUnbound = (await admin('/user/tokens', { name: 'b2' }, brokeJwt)).key as string
    const boundKey = await f.createKey({ group_id: f.groupId })

    const n = f.outcomes.length
    const statuses = [
      await call(f.key, '/v1/chat/completions', chat(MODELS.openai)),
      await call(f.key, '/v1/chat/completions', chat(MODELS.openai, { stream: true })),
      await call(f.key, '/v1/messages', {
        model: MODELS.anthropic,
        max_tokens: 50,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      await call(f.key, `/v1beta/models/${MODELS.gemini}:generateContent`, {
        contents: [{ parts: [{ text: 'hi' }] }],
      }),
      await call(f.key, '/v1/chat/completions', chat('fo-model')),
      await call(f.key, '/v1/chat/completions', chat(MODELS.openai), { 'x-fake-scenario': 'status:500' }),
      await call(boundKey, '/v1/chat/completions', chat(MODELS.openai)),
      await call(brokeKey, '/v1/chat/completions', chat(MODELS.openai)),
      await call(brokeKey, '/v1/chat/completions', chat(MODELS.openai)),
      await call(brokeUnbound, '/v1/chat/completions', chat(MODELS.openai)),
      await call('sk-not-a-real-key-0000000000000000', '/v1/chat/completions', chat(MODELS.openai)),
    ]
    // Plain, streamed, Anthropic, Gemini, failed over, failed upstream, package (x2), rule tripped without
    // balance (429), no balance (402), unknown key (401).
    expect(statuses).toEqual([200, 200, 200, 200, 200, 500, 200, 200, 429, 402, 401])
    await waitForOutcomes(f, n + statuses.length)
    await f.t.audit.drain(10_000)
  }, 300_000)
  afterAll(async () => {
    await f?.close()
  })

  const reconcile = () => runAnyGateway(['reconcile', '--grace-seconds', '0', '--json'], env)

  it('reports no difference after a mixed load, with every usage row, ledger row and audit record checked', async () => {
    const charged = await f.t.tdb.db.db
      .selectFrom('balance_ledger')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('kind', '=', 'settle')
      .executeTakeFirstOrThrow()
    expect(toNum(charged.n)).toBeGreaterThanOrEqual(5)
    const r = await reconcile()
    expect(r.status, r.stdout + r.stderr).toBe(0)
    const out = r.json<ReconcileOutput>()
    expect(out).toMatchObject({ ok: true, differences_total: 0 })
    const usage = toNum(
      (
        await f.t.tdb.db.db
          .selectFrom('usage_logs')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
    expect(out.checked.usage_rows).toBe(usage)
    expect(out.checked.settle_ledger_rows).toBe(toNum(charged.n))
    expect(out.checked.audit.usage_rows).toBe(usage)
    // Every request has an audit record; the refusals with a valid key (429, 402) have a zero-cost usage row too,
    // the unknown key's (401) has none.
    expect(out.checked.audit.records).toBe(usage + 1)
  })

  it('exits 1 and names the request when a usage row or a ledger row is deleted', async () => {
    const db = f.t.tdb.db.db
    const [first, second, third] = await db
      .selectFrom('balance_ledger')
      .select(['request_id', 'amount_nano'])
      .where('kind', '=', 'settle')
      .orderBy('request_id')
      .limit(3)
      .execute()
    expect(toBig(first.amount_nano)).toBeLessThan(0n)
    await db.deleteFrom('usage_logs').where('request_id', '=', first.request_id!).execute()
    await db.deleteFrom('balance_ledger').where('request_id', '=', second.request_id!).execute()
    // A settlement the database refused waits in DATA_DIR's journal, neither usage row nor ledger row yet: that
    // is not a difference, it lands when the gateway retries it.
    await db.deleteFrom('usage_logs').where('request_id', '=', third.request_id!).execute()
    await db.deleteFrom('balance_ledger').where('request_id', '=', third.request_id!).execute()
    // The line as the gateway's settlement journal writes it (src/billing/settlement-journal.ts).
    writeFileSync(
      path.join(f.t.tdb.dir, 'pending-settlements-1-1-test.jsonl'),
      `${JSON.stringify({ requestId: third.request_id, costNano: '1' })}\n`,
    )
    const r = await reconcile()
    expect(r.status).toBe(1)
    const out = r.json<ReconcileOutput>()
    expect(out.ok).toBe(false)
    expect(out.by_kind).toEqual({ ledger_without_usage: 1, usage_missing: 1, ledger_missing: 1 })
    expect(out.checked.audit.pending_settlements).toBe(1)
    expect(
      out.differences
        .filter((d) => d.subject === first.request_id)
        .map((d) => d.kind)
        .sort(),
    ).toEqual(['ledger_without_usage', 'usage_missing'])
    expect(out.differences.find((d) => d.kind === 'ledger_missing')?.subject).toBe(second.request_id)
    const text = await runAnyGateway(['reconcile', '--grace-seconds', '0'], env)
    expect(text.status).toBe(1)
    expect(text.stdout).toContain('3 difference(s)')
    expect(text.stdout).toContain(first.request_id)
  })
})
