import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeTestAuditRecord } from '../../../test/support/make-test-audit-record.ts'
import {
  REDACTED,
  maskSecret,
  redactAuditRecord,
  redactAuditRecordToJson,
  redactBody,
  redactHeaders,
  redactText,
  redactUrl,
} from './redact-audit-record.ts'

const CLIENT_KEY = 'sk-CanaryClient0123456789abcdefWXYZ'
const GOOGLE_KEY = 'AIzaCanaryGoogle0123456789abcdefghijkl'
const CHANNEL_KEY = 'chan-canary-7f3a9e1b2c4d'

describe('maskSecret', () => {
  it('keeps at most a prefix and the last four characters', () => {
    expect(maskSecret(CLIENT_KEY)).toBe('sk-…WXYZ')
    expect(maskSecret(`Bearer ${CLIENT_KEY}`)).toBe('Bearer sk-…WXYZ')
    expect(maskSecret(GOOGLE_KEY)).toBe('AIza…ijkl')
    expect(maskSecret('Basic dXNlcjpwYXNzd29yZA==')).toBe(`Basic ${REDACTED}`)
    expect(maskSecret('hunter2')).toBe(REDACTED)
    expect(maskSecret('sk-short')).toBe(REDACTED)
  })

  it('does not leak the first word of a password with spaces', () => {
    expect(maskSecret('correct horse')).toBe(REDACTED)
  })

  it('is idempotent', () => {
    for (const v of [CLIENT_KEY, `Bearer ${CLIENT_KEY}`, 'Basic abc', 'x']) {
      expect(maskSecret(maskSecret(v))).toBe(maskSecret(v))
    }
  })
})

describe('redactHeaders', () => {
  it('masks credential headers, replaces cookies, lowercases names and joins arrays', () => {
    const out = redactHeaders({
      Authorization: `Bearer ${CLIENT_KEY}`,
      'X-Api-Key': CLIENT_KEY,
      'x-goog-api-key': GOOGLE_KEY,
      'x-admin-key': 'admin-canary-key-000000000000',
      cookie: 'session=abc; other=def',
      'set-cookie': ['a=1', 'b=2'],
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'api-key': CHANNEL_KEY,
      'x-session-id': 'sess-123',
      'content-type': 'application/json',
      'x-ratelimit-remaining-tokens': '1000',
      accept: ['a', 'b'],
      'x-missing': undefined,
    })
    expect(out).toEqual({
      authorization: 'Bearer sk-…WXYZ',
      'x-api-key': 'sk-…WXYZ',
      'x-goog-api-key': 'AIza…ijkl',
      'x-admin-key': REDACTED,
      cookie: REDACTED,
      'set-cookie': REDACTED,
      'proxy-authorization': `Basic ${REDACTED}`,
      'api-key': REDACTED,
      'x-session-id': REDACTED,
      'content-type': 'application/json',
      'x-ratelimit-remaining-tokens': '1000',
      accept: 'a, b',
    })
  })

  it('masks known secrets and key shapes inside ordinary headers', () => {
    const out = redactHeaders({ 'x-note': `channel ${CHANNEL_KEY} and ${CLIENT_KEY}` }, [CHANNEL_KEY])
    expect(out['x-note']).toBe(`channel ${REDACTED} and sk-…WXYZ`)
  })

  it('copies a __proto__ header as data without touching prototypes', () => {
    const headers = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, string>
    const out = redactHeaders(headers)
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true)
    expect(JSON.stringify(out)).toBe('{"__proto__":"x","constructor":"y"}')
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })
})

describe('redactUrl', () => {
  it('masks credential query parameters and keeps the rest', () => {
    expect(redactUrl(`/v1beta/models/g:generateContent?alt=sse&key=${GOOGLE_KEY}`)).toBe(
      `/v1beta/models/g:generateContent?alt=sse&key=${REDACTED}`,
    )
    expect(redactUrl('https://h/p?api_key=abc123xyz&access_token=tok456&model=m')).toBe(
      `https://h/p?api_key=${REDACTED}&access_token=${REDACTED}&model=m`,
    )
  })

  it('handles encoded names, fragments, user info and unknown secrets in the path', () => {
    expect(redactUrl('/p?k%65y=zzzzzz&x=1')).toBe(`/p?k%65y=${REDACTED}&x=1`)
    expect(redactUrl('/cb#access_token=qqqqqq&state=s')).toBe(`/cb#access_token=${REDACTED}&state=s`)
    expect(redactUrl('https://user:pa55word@host/x')).toBe(`https://${REDACTED}@host/x`)
    expect(redactUrl(`https://host/${CHANNEL_KEY}/x`, [CHANNEL_KEY])).toBe(`https://host/${REDACTED}/x`)
    expect(redactUrl('/p?%zz=1&key=abcdef')).toBe(`/p?%zz=1&key=${REDACTED}`)
  })
})

describe('redactBody', () => {
  it('masks sensitive fields at any depth, case-insensitively', () => {
    const out = redactBody({
      Password: 'hunter22',
      nested: { deeper: [{ api_key: CLIENT_KEY, apiKey: 'abcdefgh', client_secret: 's3cr3t!!' }] },
      ACCESS_TOKEN: 'tok-tok-tok',
      authorization: `Bearer ${CLIENT_KEY}`,
      ldap_password: 'Ldap-Canary-99',
      secret: { inner: 'object values are masked whole' },
      password_set: true,
      keep: 'visible',
      n: 3,
    })
    expect(out).toEqual({
      Password: REDACTED,
      nested: { deeper: [{ api_key: 'sk-…WXYZ', apiKey: REDACTED, client_secret: REDACTED }] },
      ACCESS_TOKEN: REDACTED,
      authorization: 'Bearer sk-…WXYZ',
      ldap_password: REDACTED,
      secret: REDACTED,
      password_set: true,
      keep: 'visible',
      n: 3,
    })
  })

  it('replaces given secrets and key shapes inside any string, keys included', () => {
    const out = redactBody(
      {
        messages: [{ content: `use ${CHANNEL_KEY} or ${CLIENT_KEY} or ${GOOGLE_KEY}` }],
        [CLIENT_KEY]: 1,
        url: `https://x/y?key=${encodeURIComponent(CHANNEL_KEY)}`,
      },
      [CHANNEL_KEY],
    )
    const text = JSON.stringify(out)
    expect(text).not.toContain(CHANNEL_KEY)
    expect(text).not.toContain(CLIENT_KEY)
    expect(text).not.toContain(GOOGLE_KEY)
    expect(text).toContain('sk-…WXYZ')
    expect(text).toContain('AIza…ijkl')
  })

  it('does not treat words that merely contain "sk-" as keys', () => {
    expect(redactBody('a task-management-system-overview')).toBe('a task-management-system-overview')
  })

  it('redacts sensitive fields in JSON and form text, including escaped JSON', () => {
    const raw = '{"username":"bob","password":"Canary-Pass-1","nested":{"api_key":"abc\\"def"}}'
    const out = redactText(raw)
    expect(out).toBe(`{"username":"bob","password":"${REDACTED}","nested":{"api_key":"${REDACTED}"}}`)
    expect(JSON.parse(out)).toBeTruthy()
    expect(redactText('username=bob&password=Canary-Pass-1&x=1')).toBe(
      `username=bob&password=${REDACTED}&x=1`,
    )
    const sse = 'data: {"arguments":"{\\"password\\":\\"Canary-Pass-2\\",\\"user\\":\\"bob\\"}"}'
    expect(redactText(sse)).toBe(
      `data: {"arguments":"{\\"password\\":\\"${REDACTED}\\",\\"user\\":\\"bob\\"}"}`,
    )
    expect(redactText('upstream said: Authorization: Bearer abcdefghijklmnopqrstu')).toBe(
      `upstream said: Authorization: Bearer ${REDACTED}`,
    )
    expect(redactText('token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ')).toBe(
      `token ${REDACTED}`,
    )
  })

  it('is prototype-safe and never mutates its input', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"a":{"__proto__":{"password":"p4ssw0rd"}}}')
    const before = JSON.stringify(input)
    const out = redactBody(input) as Record<string, unknown>
    expect(JSON.stringify(input)).toBe(before)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(JSON.stringify(out)).toBe(
      `{"__proto__":{"polluted":true},"a":{"__proto__":{"password":"${REDACTED}"}}}`,
    )
  })

  it('always returns JSON-serialisable data: cycles, bigint, buffers, deep nesting', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    let deep: unknown = 'leaf'
    for (let i = 0; i < 500; i++) deep = { d: deep }
    const out = redactBody({
      cyclic,
      big: 10n,
      fn: () => 1,
      buf: Buffer.from(`{"password":"x1x1x1"} ${CLIENT_KEY}`),
      bin: Buffer.from([0xff, 0xfe, 0x00]),
      when: new Date('2024-01-01T00:00:00Z'),
      deep,
      list: [undefined, 1],
    })
    const text = JSON.stringify(out)
    expect(text).toContain('"self":"[circular]"')
    expect(text).toContain('"big":"10"')
    expect(text).not.toContain('fn')
    expect(text).not.toContain(CLIENT_KEY)
    expect(text).not.toContain('x1x1x1')
    expect(text).toContain('[binary 3 bytes]')
    expect(text).toContain('2024-01-01T00:00:00.000Z')
    expect(text).toContain('[truncated]')
    expect(text).toContain('"list":[null,1]')
  })
})

describe('redactAuditRecord', () => {
  it('redacts every part of a record and is idempotent', () => {
    const record = makeTestAuditRecord('r1', {
      client_path: `/v1beta/models/x:streamGenerateContent?key=${GOOGLE_KEY}`,
      upstream_url: `https://up.example/v1?api_key=${CHANNEL_KEY}`,
      rejection_reason: `bad key ${CLIENT_KEY}`,
      request: {
        headers: { authorization: `Bearer ${CLIENT_KEY}`, 'x-api-key': CHANNEL_KEY },
        body: { messages: [{ content: `my key is ${CLIENT_KEY}` }], password: 'pw-canary' },
      },
      response: {
        status: 200,
        headers: { 'set-cookie': 'sid=1' },
        sse_raw: `data: {"text":"${CHANNEL_KEY}"}\n\n`,
        reassembled_text: `echo ${CLIENT_KEY}`,
      },
    })
    const once = redactAuditRecord(record, [CLIENT_KEY, CHANNEL_KEY])
    const text = JSON.stringify(once)
    for (const canary of [CLIENT_KEY, CHANNEL_KEY, GOOGLE_KEY, 'pw-canary'])
      expect(text).not.toContain(canary)
    expect(once.request.headers.authorization).toBe('Bearer sk-…WXYZ')
    expect(once.status).toBe(200)
    expect(once.usage).toEqual(record.usage)
    expect(redactAuditRecord(once, [CLIENT_KEY, CHANNEL_KEY])).toEqual(once)
  })
})

describe('remembered verdicts for short strings', () => {
  it('mask a short key-shaped string every time it is seen, also after the memory is full and cleared', () => {
    const key = 'sk-ShortCanary0123456789'
    const google = 'AIzaShortCanary0123456789abcdefghijk'
    for (let round = 0; round < 3; round++) {
      expect(redactText(key)).toBe('sk-…6789')
      expect(redactText(`?key=${'x'.repeat(20)}`)).toBe(`?key=${REDACTED}`)
      expect(redactBody({ note: google })).toEqual({ note: 'AIza…hijk' })
      // More distinct short strings than the memory holds, so it is cleared in between.
      for (let i = 0; i < 5000; i++)
        expect(redactText(`plain text ${round} ${i}`)).toBe(`plain text ${round} ${i}`)
    }
  })
})

describe('redactAuditRecordToJson', () => {
  const secrets = [CLIENT_KEY, CHANNEL_KEY]
  const sameAsCopy = (record: ReturnType<typeof makeTestAuditRecord>): void =>
    expect(redactAuditRecordToJson(record, secrets)).toBe(JSON.stringify(redactAuditRecord(record, secrets)))

  // Keys and strings drawn so that clean values, secrets, key shapes and sensitive names all meet.
  const key = fc.oneof(
    fc.constantFrom(
      'content',
      'role',
      'password',
      'api_key',
      'Pass_Word',
      'x-api-key',
      '__proto__',
      'toJSON',
      'note',
    ),
    fc.string({ maxLength: 8 }),
  )
  const text = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom(
      `my key ${CLIENT_KEY}`,
      `Bearer ${CHANNEL_KEY}`,
      GOOGLE_KEY,
      '{"password":"hunter22"}',
      '?key=abcdefghijklmnop',
      'sk-…WXYZ',
      REDACTED,
      'hello 你好 😀',
    ),
  )
  const leaf = fc.oneof(
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.date({ noInvalidDate: false }),
    fc.constant(() => 1),
    fc.uint8Array({ maxLength: 4 }),
  )
  const tree = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      leaf,
      fc.array(tie('node'), { maxLength: 4 }),
      fc.dictionary(key, tie('node'), { maxKeys: 4 }),
    ),
  })).node

  it('gives the JSON of the redacted copy for any body, header or field', () => {
    fc.assert(
      fc.property(
        tree,
        tree,
        fc.dictionary(key, text, { maxKeys: 3 }),
        text,
        (reqBody, resBody, headers, reason) => {
          sameAsCopy(
            makeTestAuditRecord('r1', {
              rejection_reason: reason,
              request: { headers, body: reqBody },
              response: { status: 200, headers: { 'content-type': 'application/json' }, body: resBody },
            }),
          )
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('handles cycles, depth, boxed values, class instances and throwing getters the same way', () => {
    const proxied = new Proxy({ note: `key ${CLIENT_KEY}`, plain: 'ok' }, {})
    const holey: unknown[] = [1, undefined]
    holey[3] = 3
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    let deep: unknown = 'bottom'
    for (let i = 0; i < 80; i++) deep = { next: deep }
    class Thing {
      x = 1
      constructor(readonly secret = 'hidden') {}
    }
    const throwing = Object.defineProperty({ ok: 'yes' }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('no')
      },
    })
    sameAsCopy(
      makeTestAuditRecord('r2', {
        request: {
          headers: {},
          body: [cyclic, deep, Object('boxed'), new Thing(), throwing, new Map([[1, 2]]), holey, proxied],
        },
      }),
    )
  })

  it('leaves a clean body unchanged and masks a dirty one', () => {
    const json = JSON.parse(
      redactAuditRecordToJson(
        makeTestAuditRecord('r3', {
          request: {
            headers: { authorization: `Bearer ${CLIENT_KEY}` },
            body: { messages: [{ content: 'hi' }] },
          },
          response: { status: 200, headers: {}, body: { note: `echo ${CHANNEL_KEY}`, keep: [1, 2] } },
        }),
        secrets,
      ),
    ) as { request: { headers: Record<string, string>; body: unknown }; response: { body: unknown } }
    expect(json.request.headers.authorization).toBe('Bearer sk-…WXYZ')
    expect(json.request.body).toEqual({ messages: [{ content: 'hi' }] })
    expect(json.response.body).toEqual({ note: `echo ${REDACTED}`, keep: [1, 2] })
  })
})

describe('secret needles', () => {
  it("are built from each call's own secrets, however earlier secrets were made", () => {
    expect(redactText('x', ['abcdefgh\u0000ijklmnop'])).toBe('x')
    expect(redactText('key abcdefgh and ijklmnop', ['abcdefgh', 'ijklmnop'])).toBe(
      `key ${REDACTED} and ${REDACTED}`,
    )
    // A secret inside another is replaced whole, whichever comes first; encoded forms are found too.
    expect(redactText('a sk-AAAAAAAAAAAAAAAAAAAA1234 b', ['AAAA1234', 'sk-AAAAAAAAAAAAAAAAAAAA1234'])).toBe(
      'a sk-…1234 b',
    )
    expect(redactText('q=p%40ss%2Fw0rd!', ['p@ss/w0rd!'])).toBe(`q=${REDACTED}`)
  })
})

describe('long text', () => {
  // Text past 256 characters is screened lowercased (mayNeedPatterns): upper- and mixed-case credentials must still
  // be found there.
  it('redacts credentials in any case inside a long prompt', () => {
    const filler = 'The quarterly report covers revenue, margins and the outlook. '.repeat(8)
    const key = 'sk-ABCDEFGHIJKLMNOPQRSTUVWX1234'
    const raw = `${filler}AUTHORIZATION: BEARER abcdefghijklmnopqrstuvwxyz012345 then ${key} and PassWord=Canary-Pass-9&x=1 ${filler}`
    const out = redactText(raw)
    expect(raw.length).toBeGreaterThan(256)
    expect(out).not.toContain('abcdefghijklmnopqrstuvwxyz012345')
    expect(out).not.toContain(key)
    expect(out).toContain('sk-…1234')
    expect(out).not.toContain('Canary-Pass-9')
    expect(out.startsWith(filler)).toBe(true)
  })
})
