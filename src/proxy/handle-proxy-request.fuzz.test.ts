/**
 * Fuzzing the proxy end to end (a listening gateway on SQLite, the fake provider behind it): request bodies of
 * the right and wrong shapes with hostile `max_tokens`, `n`, `generationConfig` and `stream` values, and
 * multipart uploads. Whatever a client sends, the gateway answers it (the provider's answer, or its own 4xx in
 * the client's protocol) and never fails itself; the model it routes, checks and bills is the model the
 * provider is asked for. FUZZ_RUNS=n runs each property n times (each run is one request).
 */
import fc from 'fast-check'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  FUZZ_TIMEOUT,
  countText,
  deeplyNested,
  fuzzRuns,
  jsonText,
  numberLiteral,
  objectText,
  prototypeWasPolluted,
} from '../../test/support/hostile-json.ts'
import { MODELS, startProxyFixture, type ProxyFixture } from '../../test/support/proxy-fixture.ts'
import type { ProxyOutcome } from './proxy-types.ts'
import { multipart, type MultipartPart } from '../../test/support/multipart-body.ts'

let f: ProxyFixture

beforeAll(async () => {
  f = await startProxyFixture('sqlite')
})
afterAll(async () => {
  await f?.close()
})

interface Answer {
  status: number
  text: string
  outcome: ProxyOutcome | undefined
}

async function post(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await request(`${f.gateway}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${f.key}`, ...headers },
    body,
  })
  const text = await res.body.text()
  const id = res.headers['x-request-id']
  // The outcome is recorded once the answer is finished; wait a moment for it.
  let outcome: ProxyOutcome | undefined
  for (let i = 0; i < 200 && !outcome; i++) {
    outcome = f.outcomes.find((o) => o.requestId === id)
    if (!outcome) await new Promise((r) => setTimeout(r, 5))
  }
  return { status: res.statusCode, text, outcome }
}

/** The gateway handled the request itself without failing: no 500 of its own, an error in the client's shape. */
function expectHandled(a: Answer): void {
  expect(a.outcome?.errorCode, a.text).not.toBe('internal_error')
  expect(a.status, a.text).not.toBe(500)
  if (a.status >= 400) {
    const body = JSON.parse(a.text) as { error?: unknown; type?: unknown }
    expect(body.error, a.text).toBeDefined()
  }
  expect(prototypeWasPolluted()).toBe(false)
}

const noise = jsonText(['model', 'messages', 'max_tokens', 'n', 'stream', 'generationConfig'], 2)
/** Output limits and choice counts as a client may send them: plausible, huge, negative, fractional, strings. */
const limit = fc.oneof(
  { weight: 2, arbitrary: fc.nat({ max: 100 }).map(String) },
  { weight: 3, arbitrary: countText },
)

/** `fields` (JSON members) first, then the random object's members: the request always names its model. */
function startingWith(fields: string, rest: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return rest.map((text) => (text === '{}' ? `{${fields}}` : `{${fields},${text.slice(1)}`))
}

const SURFACES = [
  {
    path: () => '/v1/chat/completions',
    body: startingWith(
      `"model":"${MODELS.openai}","messages":[{"role":"user","content":"hi"}]`,
      objectText(
        {
          max_tokens: limit,
          max_completion_tokens: limit,
          n: fc.oneof(limit, numberLiteral),
          stream: fc.constantFrom('true', 'false', '"true"', 'null'),
          stream_options: objectText({ include_usage: fc.constantFrom('true', 'false', '1') }, noise),
        },
        noise,
      ),
    ),
  },
  {
    path: () => '/v1/responses',
    body: startingWith(
      `"model":"${MODELS.openai}","input":"hi"`,
      objectText(
        {
          max_output_tokens: limit,
          stream: fc.constantFrom('true', 'false'),
        },
        noise,
      ),
    ),
  },
  {
    path: () => '/v1/messages',
    body: startingWith(
      `"model":"${MODELS.anthropic}","messages":[{"role":"user","content":"hi"}]`,
      objectText(
        {
          max_tokens: limit,
          stream: fc.constantFrom('true', 'false'),
        },
        noise,
      ),
    ),
  },
  {
    path: () => `/v1beta/models/${MODELS.gemini}:generateContent`,
    body: startingWith(
      '"contents":[{"role":"user","parts":[{"text":"hi"}]}]',
      objectText(
        {
          generationConfig: objectText({ maxOutputTokens: limit, candidateCount: limit }, noise),
        },
        noise,
      ),
    ),
  },
]

describe('proxy fuzz: JSON surfaces', () => {
  it(
    'answers any body with the provider answer or its own 4xx, never an internal error',
    async () => {
      const call = fc
        .constantFrom(...SURFACES)
        .chain((surface) => surface.body.map((body) => ({ path: surface.path(), body })))
      await fc.assert(
        fc.asyncProperty(call, async ({ path, body }) => {
          expectHandled(await post(path, body))
        }),
        { numRuns: fuzzRuns(30, 0.1) },
      )
    },
    FUZZ_TIMEOUT,
  )
})

/**
 * Counterexamples the fuzzing above found, kept as plain cases: an output limit that is an integer but not a
 * safe one (or a negative Gemini maxOutputTokens) reached the reservation estimate, which refuses it with a
 * RangeError, answered as 500.
 */
describe('proxy fuzz: output limits found to fail the admission estimate', () => {
  const cases: [string, string, string][] = [
    [
      'max_tokens 2^53',
      '/v1/chat/completions',
      `{"model":"${MODELS.openai}","messages":[],"max_tokens":9007199254740992}`,
    ],
    [
      'max_tokens 1e300',
      '/v1/chat/completions',
      `{"model":"${MODELS.openai}","messages":[],"max_tokens":1e300}`,
    ],
    [
      'max_completion_tokens 1.7976931348623157e308',
      '/v1/chat/completions',
      `{"model":"${MODELS.openai}","messages":[],"max_completion_tokens":1.7976931348623157e308}`,
    ],
    [
      'Anthropic max_tokens 1e20',
      '/v1/messages',
      `{"model":"${MODELS.anthropic}","messages":[],"max_tokens":1e20}`,
    ],
    [
      'Gemini maxOutputTokens -1',
      `/v1beta/models/${MODELS.gemini}:generateContent`,
      '{"contents":[],"generationConfig":{"maxOutputTokens":-1}}',
    ],
    [
      'Gemini maxOutputTokens 1e300',
      `/v1beta/models/${MODELS.gemini}:generateContent`,
      '{"contents":[],"generationConfig":{"maxOutputTokens":1e300}}',
    ],
  ]
  it.each(cases)('%s', async (_name, path, body) => {
    expectHandled(await post(path, body))
  })
})

describe('proxy fuzz: bodies too deep to re-serialise', () => {
  it('a streamed chat request nested 100,000 deep is answered without an internal error', async () => {
    // The gateway adds stream_options.include_usage by re-serialising the body, and JSON.stringify recurses.
    const body = `{"model":"${MODELS.openai}","stream":true,"messages":[${deeplyNested(100_000, 'object')}]}`
    expectHandled(await post('/v1/chat/completions', body))
  })
})

/** A multipart/form-data body with the given parts; files are sent as audio/wav. */
const multipartBody = (boundary: string, parts: MultipartPart[]) => multipart(boundary, parts, 'audio/wav')

/** The `model` form field of a multipart body, read the way the provider reads it. */
function formModel(body: string, boundary: string): string | undefined {
  for (const part of body.split(`--${boundary}`)) {
    const end = part.indexOf('\r\n\r\n')
    if (end < 0) continue
    const head = part.slice(0, end)
    if (/name="model"(?!;)/.test(head) && !head.includes('filename=')) return part.slice(end + 4, -2)
  }
  return undefined
}

let uploads = 0
/** A mark at the start of an uploaded file, to find the request the provider received among all recorded. */
const uploadTag = () => `upload-${++uploads}-`
/** The upload the provider received with that mark (the fake keeps only its last 1,000 requests). */
const receivedUpload = (tag: string) =>
  f.upstream.requests.findLast((r) => r.path.includes('/audio/transcriptions') && r.body.includes(tag))

describe('proxy fuzz: multipart uploads', () => {
  const boundary = 'b0undary'
  const upload = (parts: { name: string; value: Buffer; filename?: string }[], key = f.key) =>
    post('/v1/audio/transcriptions', multipartBody(boundary, parts), {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      authorization: `Bearer ${key}`,
    })

  it('counterexample: a decoy model field inside the uploaded file is not the model', async () => {
    // A key limited to whisper-1 must not run gpt-5 by putting `name="model"…whisper-1` in the file's bytes.
    const key = await f.createKey({ allowed_models: ['whisper-1'] })
    const tag = uploadTag()
    const a = await upload(
      [
        { name: 'file', value: Buffer.from(`${tag}name="model"\r\n\r\nwhisper-1\r\n`), filename: 'a.wav' },
        { name: 'model', value: Buffer.from('gpt-5') },
      ],
      key,
    )
    expectHandled(a)
    const sent = receivedUpload(tag)
    expect(sent === undefined ? undefined : formModel(sent.body, boundary)).not.toBe('gpt-5')
    expect(a.status).toBe(403)
  })

  it('counterexample: a model field after a file of more than 64 KiB is read', async () => {
    const a = await upload([
      { name: 'file', value: Buffer.alloc(65 * 1024, 0x52), filename: 'a.wav' },
      { name: 'model', value: Buffer.from('whisper-1') },
    ])
    expectHandled(a)
    expect(a.status, a.text).toBe(200)
    expect(a.outcome?.model).toBe('whisper-1')
  })

  it(
    'the model the gateway checks and bills is the model the provider is asked for',
    async () => {
      const boundary = 'fuzzB0undary'
      const models = fc.constantFrom('whisper-1', MODELS.openai, 'gpt-5')
      await fc.assert(
        fc.asyncProperty(
          models,
          fc.option(models, { nil: undefined }),
          fc.boolean(),
          fc.nat({ max: 100 * 1024 }),
          async (model, decoy, fileFirst, padding) => {
            // File bytes that may hold a fake form field: only the real field is the model.
            const tag = uploadTag()
            const file = Buffer.concat([
              Buffer.from(tag),
              Buffer.alloc(padding, 0x52),
              Buffer.from(decoy === undefined ? 'RIFF' : `name="model"\r\n\r\n${decoy}\r\n`),
            ])
            const filePart = { name: 'file', value: file, filename: 'a.wav' }
            const modelPart = { name: 'model', value: Buffer.from(model) }
            const body = multipartBody(boundary, fileFirst ? [filePart, modelPart] : [modelPart, filePart])
            const a = await post('/v1/audio/transcriptions', body, {
              'content-type': `multipart/form-data; boundary=${boundary}`,
            })
            expectHandled(a)
            // Every model here is served and the key may use it: the upload must reach the provider.
            const sent = receivedUpload(tag)
            expect(sent, `${a.status} ${a.text}`).toBeDefined()
            expect(formModel(sent!.body, boundary)).toBe(model)
            expect(a.outcome?.model).toBe(model)
          },
        ),
        { numRuns: fuzzRuns(15, 0.1) },
      )
    },
    FUZZ_TIMEOUT,
  )
})
