import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MODELS, startProxyFixture, waitForOutcomes, type ProxyFixture } from '../support/proxy-fixture.ts'
import { bearer } from '../support/build-test-app.ts'
import { renderMarkdown } from '../../web/src/lib/markdown.ts'
import { readAllAuditFiles } from './hardening-support.ts'

/**
 * Catalogue group F (docs/security.md): audit logs, #40 and #44. #41–#43, #45 and #46 are shown by
 * src/infra/audit/*.test.ts, test/audit/*.test.ts, src/infra/db/create-group-commit.test.ts and
 * test/api/logs.test.ts.
 */

describe('F. secrets in requests never reach an audit record or a log line', () => {
  let f: ProxyFixture

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
  })
  afterAll(async () => f?.close())

  it('#40 canaries in headers, query strings, nested body fields and login passwords are redacted on 2xx, 400, 401, 402 and 5xx paths', async () => {
    const C = {
      adminKey: 'admin-key-canary-AAAA1111bbbb2222',
      cookie: 'cookie-canary-CCCC3333',
      secret: 'client-secret-canary-DDDD4444',
      password: 'password-canary-EEEE5555',
      nestedKey: 'sk-nested-body-canary-FFFF6666gggg',
      queryKey: 'sk-query-canary-GGGG7777hhhh8888',
      badJson: 'bad-json-password-canary-HHHH9999',
      login: 'login-password-canary-IIII0000',
      bearerJunk: 'sk-junk-bearer-canary-JJJJ1234kkkk',
    }
    const body = (extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        model: MODELS.openai,
        messages: [{ role: 'user', content: 'hi' }],
        metadata: {
          deep: { deeper: [{ client_secret: C.secret, password: C.password, api_key: C.nestedKey }] },
        },
        ...extra,
      })
    const headers = (key: string) => ({
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'x-admin-key': C.adminKey,
      cookie: `sid=${C.cookie}`,
    })
    const send = async (url: string, b: string, h: Record<string, string>) => {
      const n = f.outcomes.length
      const res = await request(`${f.gateway}${url}`, { method: 'POST', headers: h, body: b })
      const text = await res.body.text()
      await waitForOutcomes(f, n + 1)
      return { status: res.statusCode, text }
    }
    const statuses = [
      (await send('/v1/chat/completions', body(), headers(f.key))).status,
      (await send(`/v1/chat/completions?key=${C.queryKey}&api_key=${C.queryKey}`, body(), headers(f.key)))
        .status,
      (
        await send(
          '/v1/chat/completions',
          `{"model":"${MODELS.openai}","password":"${C.badJson}"`,
          headers(f.key),
        )
      ).status,
      (await send('/v1/chat/completions', body(), headers(C.bearerJunk))).status,
      (await send('/v1/chat/completions', body(), { ...headers(f.key), 'x-fake-scenario': 'status:500' }))
        .status,
    ]
    // Out of balance: a 402.
    await f.t.inject({
      method: 'PATCH',
      url: '/admin/users/user',
      headers: bearer(f.adminJwt),
      payload: { quota_usd: 0 },
    })
    await f.t.inject({
      method: 'POST',
      url: '/admin/prices',
      headers: bearer(f.adminJwt),
      payload: { model_name: MODELS.openai, unit: 'output_token', price_per_unit: 1 },
    })
    statuses.push((await send('/v1/chat/completions', body(), headers(f.key))).status)
    expect(statuses).toEqual([200, 401, 400, 401, 500, 402])
    // A failed login carries a password too.
    for (const username of ['user', 'nobody', '_admin_fallback'])
      await f.t.inject({ method: 'POST', url: '/auth/login', payload: { username, password: C.login } })
    await f.t.audit.drain(5000)
    const records = readAllAuditFiles(path.join(f.t.deps.config.DATA_DIR, 'sessions'))
    expect(records.length).toBeGreaterThanOrEqual(6)
    // The records were kept (the 200 one with its body), only the secrets are masked.
    expect(records.some((r) => r.includes('"deeper"'))).toBe(true)
    const everything = [...records, f.t.logs.join('\n')].join('\n')
    for (const [name, canary] of Object.entries(C)) expect(everything.includes(canary), name).toBe(false)
  })
})

describe('F. what the dashboard renders from logged text', () => {
  it('#44 model output and logged fields are rendered as text: the only raw HTML sink is the escaping Markdown renderer', () => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = path.join(dir, e)
        if (statSync(p).isDirectory()) walk(p)
        else if (/\.(tsx?|jsx?)$/.test(p) && !/\.test\./.test(p)) files.push(p)
      }
    }
    walk(path.resolve('web/src'))
    expect(files.length).toBeGreaterThan(20)
    const sinks: string[] = []
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      if (
        /dangerouslySetInnerHTML|\.innerHTML\s*=|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(
          text,
        )
      )
        sinks.push(path.relative(path.resolve('web/src'), file))
    }
    expect(sinks).toEqual([path.join('components', 'Markdown.tsx')])
  })

  it('#44 the Markdown renderer never emits a script, an event handler or a script URL, whatever the text (property)', () => {
    const hostile = fc.constantFrom(
      '<img src=x onerror=alert(1)>',
      '</script><script>alert(1)</script>',
      '[x](javascript:alert(1))',
      '[x](JaVaScRiPt:alert(1))',
      '[x]( javascript:alert(1))',
      '![x](javascript:alert(1))',
      '<a href="javascript:alert(1)">x</a>',
      '<svg onload=alert(1)>',
      '<iframe src="data:text/html,x">',
      '[x](data:text/html;base64,PHNjcmlwdD4=)',
      '```html\n<script>alert(1)</script>\n```',
      '<div style="background:url(javascript:alert(1))">',
      '"><img src=x onerror=alert(1)>',
      '[x](vbscript:msgbox)',
      '<details open ontoggle=alert(1)>',
    )
    const text = fc.array(
      fc.oneof(hostile, fc.string({ maxLength: 20 }), fc.constantFrom('**', '`', '\n\n', '> ', '- ', '|')),
      {
        maxLength: 12,
      },
    )
    fc.assert(
      fc.property(text, (parts) => {
        const html = renderMarkdown(parts.join(''))
        expect(html).not.toMatch(/<(script|img|svg|iframe|object|embed|style|details)\b/i)
        expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i)
        expect(html).not.toMatch(/(href|src)\s*=\s*"\s*(javascript|vbscript|data):/i)
      }),
      { numRuns: 500 },
    )
  })
})
