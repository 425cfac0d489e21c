/**
 * Fuzzing what the proxy reads off a client's request before routing and billing it: the JSON body, the model
 * (from the body, the Gemini path or a multipart form), `stream`, the session hint, and the body sent upstream.
 * Bodies are random bytes, invalid UTF-8, JSON of the right and wrong shapes with hostile values and keys.
 * Whatever arrives, the readers either return what the request says or throw an AppError the client sees as
 * 400; the model they return is one the upstream URL cannot be steered by; nothing touches Object.prototype.
 * FUZZ_RUNS=n runs each property n times.
 */
import fc from 'fast-check'
import type { ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import {
  FUZZ_TIMEOUT,
  countText,
  deeplyNested,
  fuzzRuns,
  jsonText,
  lit,
  numberLiteral,
  objectText,
  prototypeWasPolluted,
  stringLiteral,
} from '../../test/support/hostile-json.ts'
import { parseModelAction, protocols } from '../protocol/protocols.ts'
import type { RouteCandidate } from '../domain/routing/select-channels.ts'
import { buildUpstreamPath } from './build-upstream-request.ts'
import { AppError } from '../domain/errors.ts'
import type { ProxyRequest } from './proxy-types.ts'
import { bodyFor, isStreaming, parseJsonBody, readModel, stickyKeyOf } from './read-client-request.ts'
import type { ChannelRuntime } from './routing-snapshot.ts'
import type { Surface } from '../protocol/surface.ts'
import { PROTOCOL_IDS } from '../protocol/protocol-adapter.ts'
import { OPENAI_SURFACES } from '../protocol/openai/openai-protocol.ts'
import { ANTHROPIC_SURFACES } from '../protocol/anthropic/anthropic-protocol.ts'
import { GEMINI_SURFACES } from '../protocol/gemini/gemini-protocol.ts'
import { multipart, type MultipartPart } from '../../test/support/multipart-body.ts'

const parseGeminiAction = (segment: string) => parseModelAction(protocols.gemini, segment)
/** Gemini's surfaces: the model is in the path (`models/{model}:{action}`), not the body. */
const modelInPath = (surface: Surface) => protocols[surface.protocol].paths.style === 'model-action'

const JSON_SURFACES: Surface[] = [
  ...Object.values(OPENAI_SURFACES).filter((s) => s.body === 'json'),
  ...Object.values(ANTHROPIC_SURFACES),
  ...Object.values(GEMINI_SURFACES),
]
const MULTIPART_SURFACES = Object.values(OPENAI_SURFACES).filter((s) => s.body === 'multipart')

const KNOWN_KEYS = [
  'model',
  'stream',
  'messages',
  'max_tokens',
  'stream_options',
  'include_usage',
  'metadata',
  'user_id',
  'prompt_cache_key',
  'generationConfig',
]
const noise = jsonText(KNOWN_KEYS, 3)

/** Model names as clients might send them, hostile ones included. */
const modelName = fc.oneof(
  fc.constantFrom(
    'gpt-4o-mini',
    'claude-sonnet-5-5',
    'gemini-2.5-flash',
    'models/gemini-pro',
    'org/model@v1+x',
  ),
  fc.constantFrom(
    '',
    '..',
    '../admin',
    'a/../b',
    '/etc/passwd',
    './x',
    'a/./b',
    'a%2e%2e',
    '%2e%2e/x',
    'x?key=1',
    'x#frag',
    'x\\y',
    ' x',
    'x ',
    'x\n',
    'x\r\ny',
    'x\0',
    'ａｄｍｉｎ',
    '٣٣',
    'é',
    'a'.repeat(200),
    'a'.repeat(201),
    '😀',
    'a:streamGenerateContent',
    '.',
    '...',
    '\u2024\u2024',
    '\uFF0E\uFF0E',
  ),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.stringMatching(/^[a-z0-9._:/@+-]{1,40}$/),
)

const requestBody = objectText(
  {
    model: fc.oneof(
      { weight: 5, arbitrary: modelName.map((m) => JSON.stringify(m)) },
      { weight: 1, arbitrary: noise },
    ),
    stream: fc.constantFrom('true', 'false', '"true"', '1', 'null'),
    messages: noise,
    max_tokens: countText,
    stream_options: objectText({ include_usage: fc.constantFrom('true', 'false', '1', 'null') }, noise),
    metadata: objectText({ user_id: stringLiteral }, noise),
    prompt_cache_key: stringLiteral,
    n: numberLiteral,
    generationConfig: objectText({ maxOutputTokens: countText, candidateCount: countText }, noise),
    type: lit('message'),
  },
  noise,
)

const encoder = new TextEncoder()

/** The body's bytes: JSON text as sent, or damaged (invalid UTF-8, a BOM, cut short), or random bytes. */
const bodyBytes: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: requestBody.map((t) => Buffer.from(encoder.encode(t))) },
  { weight: 1, arbitrary: noise.map((t) => Buffer.from(t)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(requestBody, fc.nat(), fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xef, 0xbb, 0xbf]))
      .map(([t, at, bad]) => {
        const bytes = Buffer.from(t)
        const i = at % (bytes.length + 1)
        return Buffer.concat([bytes.subarray(0, i), Buffer.from(bad), bytes.subarray(i)])
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(requestBody, fc.nat())
      .map(([t, n]) => Buffer.from(t).subarray(0, n % (t.length + 1))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
)

function requestOf(surface: Surface, body: Buffer, pathModel?: string, headers = {}): ProxyRequest {
  return {
    surface,
    method: 'POST',
    url: '/v1/x',
    query: new URLSearchParams(),
    headers,
    body,
    pathModel,
    // The readers never touch the response.
    res: undefined as unknown as ServerResponse,
  }
}

/** Runs `read`: its value, or the AppError it threw, which must be one a client sees as 400. */
function settle<T>(read: () => T): { ok: true; value: T } | { ok: false; error: AppError } {
  try {
    return { ok: true, value: read() }
  } catch (err) {
    if (!(err instanceof AppError)) throw err
    expect(err.status).toBe(400)
    expect(['bad_request', 'invalid_json']).toContain(err.code)
    return { ok: false, error: err }
  }
}

const MODEL_CHARS = /^[\p{L}\p{N}._:/@+-]+$/u

/** A model the readers accepted: 1–200 allowed characters, no dot-dot, not absolute. */
function expectSafeModel(model: string): void {
  expect(MODEL_CHARS.test(model)).toBe(true)
  expect([...model].length).toBeGreaterThanOrEqual(1)
  expect([...model].length).toBeLessThanOrEqual(200)
  expect(model.includes('..')).toBe(false)
  expect(model.startsWith('/')).toBe(false)
}

/** The upstream path for an accepted model stays under the channel's base path, its model segment intact. */
function expectConfinedPath(surface: Surface, model: string): void {
  const channel = { basePath: '/base/v1' } as ChannelRuntime
  const path = buildUpstreamPath(channel, surface, model, new URLSearchParams(), false)
  const url = new URL(path, 'http://upstream.invalid')
  // Nothing to normalise: no dot segment, no query or fragment smuggled in by the model.
  expect(url.pathname + url.search).toBe(path)
  expect(url.hash).toBe('')
  expect(url.pathname.startsWith('/base/v1/')).toBe(true)
  if (modelInPath(surface)) {
    const rest = url.pathname.slice('/base/v1/models/'.length)
    expect(rest.includes('/')).toBe(false)
    expect(decodeURIComponent(rest)).toBe(`${model}:${surface.endpoint}`)
  } else {
    expect(url.pathname).toBe(`/base/v1/${surface.endpoint}`)
  }
}

describe('request reader fuzz: JSON bodies', () => {
  it(
    'parse to an object or a 400; the model, stream flag and session hint are what the body says, or a 400',
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...JSON_SURFACES), bodyBytes, modelName, (surface, body, pathModel) => {
          const req = requestOf(surface, body, modelInPath(surface) ? pathModel : undefined)
          const parsed = settle(() => parseJsonBody(req))
          expect(prototypeWasPolluted()).toBe(false)
          if (!parsed.ok) return
          const json = parsed.value
          expect(json !== null && typeof json === 'object' && !Array.isArray(json)).toBe(true)
          if (json === null) return

          const model = settle(() => readModel(req, json))
          if (model.ok) {
            expect(model.value).toBe(modelInPath(surface) ? pathModel : json.model)
            expectSafeModel(model.value)
            expectConfinedPath(surface, model.value)
          }

          const stream = isStreaming(req, json)
          expect(stream).toBe(
            modelInPath(surface) ? surface.endpoint === 'streamGenerateContent' : json.stream === true,
          )

          const sticky = stickyKeyOf({ 'x-session-id': 'header-hint' }, json)
          expect(sticky === undefined || typeof sticky === 'string').toBe(true)
          expect(prototypeWasPolluted()).toBe(false)
        }),
        { numRuns: fuzzRuns(400) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it(
    'the body sent upstream is the client body, with only the mapped model and the usage request changed',
    () => {
      const upstreamModel = fc.oneof(modelName, fc.constant('same'))
      fc.assert(
        fc.property(
          fc.constantFrom(...JSON_SURFACES),
          requestBody,
          upstreamModel,
          fc.constantFrom(...PROTOCOL_IDS),
          (surface, text, upstream, provider) => {
            const body = Buffer.from(text)
            const req = requestOf(surface, body, 'gemini-2.5-flash')
            const json = parseJsonBody(req)!
            const model = typeof json.model === 'string' ? json.model : 'm'
            const cand = {
              channel: { provider },
              upstreamModel: upstream === 'same' ? model : upstream,
            } as unknown as RouteCandidate
            const out = bodyFor(req, json, model, cand)
            expect(prototypeWasPolluted()).toBe(false)
            if (out.body === body) {
              expect(out.stripUsage).toBe(false)
              return
            }
            expect(modelInPath(surface)).toBe(false)
            const sent = JSON.parse(out.body.toString('utf8')) as Record<string, unknown>
            const original = JSON.parse(text) as Record<string, unknown>
            // The client's fields, in the client's order, then any the gateway added.
            expect(Object.keys(sent).slice(0, Object.keys(original).length)).toEqual(Object.keys(original))
            for (const key of Object.keys(sent)) {
              if (key === 'model' && cand.upstreamModel !== model) expect(sent.model).toBe(cand.upstreamModel)
              else if (key === 'stream_options' && out.stripUsage) {
                expect((sent.stream_options as Record<string, unknown>).include_usage).toBe(true)
              } else expect(JSON.stringify(sent[key])).toBe(JSON.stringify(original[key]))
            }
            // The usage chunk is asked for (and then stripped) only for a streamed OpenAI chat or completion.
            expect(out.stripUsage).toBe(
              surface.injectsUsage &&
                provider === 'openai' &&
                original.stream === true &&
                (original.stream_options as { include_usage?: unknown } | null)?.include_usage !== true,
            )
          },
        ),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it('a Gemini path segment is a known method of a model, or nothing', () => {
    const segment = fc.oneof(
      fc
        .tuple(modelName, fc.constantFrom(...Object.keys(GEMINI_SURFACES), 'delete', '', 'generateContent:x'))
        .map(([m, action]) => `${m}:${action}`),
      fc.string({ unit: 'binary', maxLength: 30 }),
    )
    fc.assert(
      fc.property(segment, (s) => {
        const found = parseGeminiAction(s)
        if (found === null) return
        expect(Object.values(GEMINI_SURFACES)).toContain(found.surface)
        expect(`${found.model}:${found.surface.endpoint}`).toBe(s)
      }),
      { numRuns: fuzzRuns(300) },
    )
  })
})

/** A multipart/form-data body with the given parts; files are sent as application/octet-stream. */
const multipartBody = (boundary: string, parts: MultipartPart[]) =>
  multipart(boundary, parts, 'application/octet-stream')

describe('request reader fuzz: multipart bodies (audio uploads)', () => {
  const fileBytes = fc.oneof(
    fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
    // File content that looks like a form field: it must never be read as the model.
    fc
      .tuple(fc.uint8Array({ maxLength: 32 }), modelName)
      .map(([b, m]) => Buffer.concat([Buffer.from(b), Buffer.from(`name="model"\r\n\r\n${m}\r\n`)])),
  )

  it(
    'the model is the form field named model, never bytes inside an uploaded file; or a 400',
    () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...MULTIPART_SURFACES),
          fc.option(modelName, { nil: undefined }),
          fileBytes,
          fc.boolean(),
          (surface, model, file, fileFirst) => {
            const boundary = '----fuzzBoundary7MA4YWxkTrZu0gW'
            const filePart = { name: 'file', value: file, filename: 'a.wav' }
            const parts = model === undefined ? [] : [{ name: 'model', value: Buffer.from(model) }]
            if (fileFirst) parts.unshift(filePart)
            else parts.push(filePart)
            const req = requestOf(surface, multipartBody(boundary, parts), undefined, {
              'content-type': `multipart/form-data; boundary=${boundary}`,
            })
            expect(parseJsonBody(req)).toBeNull()
            const read = settle(() => readModel(req, null))
            if (read.ok) {
              expect(read.value).toBe(model)
              expectSafeModel(read.value)
            }
          },
        ),
        { numRuns: fuzzRuns(300) },
      )
    },
    FUZZ_TIMEOUT,
  )

  it('a model field after an upload larger than 64 KiB is still read', () => {
    const boundary = 'b0undary'
    const body = multipartBody(boundary, [
      { name: 'file', value: Buffer.alloc(200 * 1024, 0x41), filename: 'a.wav' },
      { name: 'model', value: Buffer.from('whisper-1') },
    ])
    const req = requestOf(MULTIPART_SURFACES[0], body, undefined, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    })
    expect(readModel(req, null)).toBe('whisper-1')
  })
})

describe('request reader fuzz: pathological bodies in bounded time', () => {
  const chat = OPENAI_SURFACES['chat/completions']
  const cases: [string, () => Buffer][] = [
    ['8 MiB of random-looking bytes', () => Buffer.alloc(8 * 1024 * 1024, 0xa7)],
    [
      'a JSON string of 8 MiB',
      () => Buffer.from(`{"model":"gpt-4o-mini","x":"${'a'.repeat(8 * 1024 * 1024)}"}`),
    ],
    [
      'JSON arrays nested 200,000 deep',
      () => Buffer.from(`{"model":"gpt-4o-mini","x":${deeplyNested(200_000, 'array')}}`),
    ],
    [
      '100,000 keys',
      () =>
        Buffer.from(`{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(',')},"model":"m"}`),
    ],
  ]

  it.each(cases)('%s', (_name, make) => {
    const req = requestOf(chat, make())
    const started = performance.now()
    const parsed = settle(() => parseJsonBody(req))
    if (parsed.ok && parsed.value) settle(() => readModel(req, parsed.value))
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it('a streamed chat request nested 100,000 deep is forwarded or refused with a 400, never a crash', () => {
    // The usage request is added by re-serialising the body (bodyFor), whose JSON.stringify recurses.
    const text = `{"model":"gpt-4o-mini","stream":true,"messages":[${deeplyNested(100_000, 'object')}]}`
    const req = requestOf(chat, Buffer.from(text))
    const cand = {
      channel: { provider: 'openai' },
      upstreamModel: 'gpt-4o-mini',
    } as unknown as RouteCandidate
    const read = settle(() => {
      const json = parseJsonBody(req)
      return bodyFor(req, json, readModel(req, json), cand)
    })
    if (read.ok) expect(read.value.body.length).toBeGreaterThan(0)
  })
})
