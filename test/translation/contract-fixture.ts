/**
 * The gateway the contract suite talks to: the proxy fixture's channels (one per protocol, test/support) plus a
 * chat-only OpenAI-compatible channel (`responses_api: false`) and a Gemini 3 style channel (call ids), every
 * model priced; and what a cell needs to judge one request — the upstream request it caused, that request
 * replayed unstreamed against the fake upstream for the upstream's own usage and tool ids, and the usage row.
 */
import { expect } from 'vitest'
import {
  MODELS,
  priceModel,
  startProxyFixture,
  waitForOutcomes,
  type ProxyFixture,
} from '../support/proxy-fixture.ts'
import type { RecordedRequest } from '../fake-upstream/start-fake-upstream.ts'
import type { DbKind } from '../../src/infra/db/create-db.ts'
import { toBig, toNum } from '../../src/infra/db/convert-row-values.ts'
import { readUsageFields, type UpstreamApi, type UsageFields } from './read-usage-fields.ts'
import type { WireJson } from './wire-json.ts'

/** The channels of the matrix: `openai-chat-only` is an OpenAI channel whose server has no /v1/responses. */
export type ChannelName = 'openai' | 'openai-chat-only' | 'anthropic' | 'gemini'
export type { UpstreamApi } from './read-usage-fields.ts'

export const CHANNEL_MODELS: Record<ChannelName, string> = {
  openai: MODELS.openai,
  'openai-chat-only': 'gpt-chat-only',
  anthropic: MODELS.anthropic,
  gemini: MODELS.gemini,
}
/** Served by a second Gemini channel: answers function calls with ids and a thoughtSignature, as Gemini 3. */
export const GEMINI_3_MODEL = 'gemini-3-pro-preview'

/** USD per 1M tokens; every price a whole number of nano-USD per token, so expected costs are exact. */
export const PRICES = {
  input_token: 3,
  output_token: 15,
  cache_read_token: 0.3,
  cache_write_token: 3.75,
  cache_write_1h_token: 6,
}
const NANO_PER_TOKEN = {
  input: 3000n,
  output: 15000n,
  cacheRead: 300n,
  cacheWrite5m: 3750n,
  cacheWrite1h: 6000n,
}

export interface ContractGateway {
  f: ProxyFixture
  kind: DbKind
  channelIds: Record<ChannelName | 'gemini-3', string>
  close(): Promise<void>
}

export async function startContractGateway(kind: DbKind): Promise<ContractGateway> {
  const f = await startProxyFixture(kind)
  const chatOnly = await f.addChannel({
    name: 'chat-only',
    provider: 'openai',
    base_url: `${f.upstream.url}/v1`,
    api_key: 'sk-upstream-chat-only-canary-5Tz1',
    models: [CHANNEL_MODELS['openai-chat-only']],
    responses_api: false,
  })
  const gemini3 = await f.addChannel({
    name: 'gemini-3',
    provider: 'gemini',
    base_url: `${f.upstream.url}/v1beta`,
    api_key: 'AIzaUpstreamGemini3Canary0123456789abcdef',
    models: [GEMINI_3_MODEL],
  })
  for (const model of [...Object.values(CHANNEL_MODELS), GEMINI_3_MODEL]) await priceModel(f, model, PRICES)
  return {
    f,
    kind,
    channelIds: {
      openai: f.channels.openai,
      'openai-chat-only': chatOnly,
      anthropic: f.channels.anthropic,
      gemini: f.channels.gemini,
      'gemini-3': gemini3,
    },
    close: () => f.close(),
  }
}

/** The upstream's own usage, in one shape: `input` is the whole prompt, `output` includes reasoning. */
export type NativeUsage = UsageFields

/** What the upstream answered, read from its unstreamed replay. */
export interface NativeAnswer {
  api: UpstreamApi
  usage: NativeUsage
  /** The tool-call ids it issued, in order (Responses: `call_id`; Gemini: the `id`, undefined when it sent none). */
  toolIds: Array<string | undefined>
  /** Anthropic: the signatures of its thinking blocks, in order. */
  thinkingSignatures: string[]
}

export function upstreamApiOf(path: string): UpstreamApi {
  if (path.startsWith('/v1/chat/completions')) return 'openai-chat'
  if (path.startsWith('/v1/responses')) return 'openai-responses'
  if (path.startsWith('/v1/messages')) return 'anthropic-messages'
  if (/:(stream)?generateContent/i.test(path)) return 'gemini-generate'
  throw new Error(`not a generation endpoint: ${path}`)
}

function readNativeToolIds(api: UpstreamApi, answer: WireJson): Array<string | undefined> {
  switch (api) {
    case 'openai-chat':
      return (answer.choices[0].message.tool_calls ?? []).map((c: WireJson) => c.id)
    case 'openai-responses':
      return answer.output.filter((i: WireJson) => i.type === 'function_call').map((i: WireJson) => i.call_id)
    case 'anthropic-messages':
      return answer.content.filter((b: WireJson) => b.type === 'tool_use').map((b: WireJson) => b.id)
    case 'gemini-generate':
      return answer.candidates[0].content.parts
        .filter((p: WireJson) => p.functionCall)
        .map((p: WireJson) => p.functionCall.id)
  }
}

/**
 * The recorded upstream request sent again to the fake upstream, unstreamed (the fake answers a request
 * deterministically, and its usage does not depend on streaming), to learn what the upstream answered.
 */
export async function replayUnstreamed(
  upstreamUrl: string,
  recorded: RecordedRequest,
): Promise<NativeAnswer> {
  const api = upstreamApiOf(recorded.path)
  const body = JSON.parse(recorded.body) as WireJson
  delete body.stream
  delete body.stream_options
  const path = recorded.path.replace(':streamGenerateContent', ':generateContent').replace(/\?.*$/, '')
  const res = await fetch(upstreamUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  })
  const answer = (await res.json()) as WireJson
  if (res.status !== 200) throw new Error(`replay of ${path}: ${res.status} ${JSON.stringify(answer)}`)
  const thinkingSignatures =
    api === 'anthropic-messages'
      ? answer.content.filter((b: WireJson) => b.type === 'thinking').map((b: WireJson) => b.signature)
      : []
  return {
    api,
    usage: readUsageFields(api, api === 'gemini-generate' ? answer.usageMetadata : answer.usage),
    toolIds: readNativeToolIds(api, answer),
    thinkingSignatures,
  }
}

/** The cost the gateway must bill for an upstream usage: each category at its own price (group multiplier 1). */
export function expectedCostNano(u: NativeUsage): bigint {
  const uncached = u.input - u.cacheRead - u.cacheWrite5m - u.cacheWrite1h
  return (
    BigInt(uncached) * NANO_PER_TOKEN.input +
    BigInt(u.cacheRead) * NANO_PER_TOKEN.cacheRead +
    BigInt(u.cacheWrite5m) * NANO_PER_TOKEN.cacheWrite5m +
    BigInt(u.cacheWrite1h) * NANO_PER_TOKEN.cacheWrite1h +
    BigInt(u.output) * NANO_PER_TOKEN.output
  )
}

/** One client call: the upstream request it caused, that request's native answer, and its usage row. */
export interface CallRecord {
  upstream: RecordedRequest
  native: NativeAnswer
}

/**
 * Runs one client call and checks what the gateway did with it: exactly one upstream request (to the API
 * `expectApi`), exactly one usage row, billed at price × the upstream's own usage, on `channelId`.
 */
export async function observeCall<T>(
  g: ContractGateway,
  expectation: { api: UpstreamApi; channelId: string; model: string; stream: boolean },
  call: () => Promise<T>,
): Promise<{ result: T; record: CallRecord }> {
  const { f } = g
  const upstreamBefore = f.upstream.requests.length
  const outcomesBefore = f.outcomes.length
  const rowsBefore = await countUsageRows(f)
  const result = await call()
  await waitForOutcomes(f, outcomesBefore + 1)
  const sent = f.upstream.requests.slice(upstreamBefore)
  expect(
    sent.map((r) => `${r.method} ${r.path}`),
    'exactly one upstream request',
  ).toHaveLength(1)
  const upstream = sent[0]
  expect(upstreamApiOf(upstream.path), `upstream endpoint ${upstream.path}`).toBe(expectation.api)
  const native = await replayUnstreamed(f.upstream.url, upstream)

  const rows = await f.t.tdb.db.db.selectFrom('usage_logs').selectAll().orderBy('created_at').execute()
  expect(rows.length - rowsBefore, 'one usage row per request').toBe(1)
  const outcome = f.outcomes[outcomesBefore]
  const row = rows.find((r) => r.request_id === outcome.requestId)
  if (!row) throw new Error(`no usage row for request ${outcome.requestId}`)
  expect(row.channel_id).toBe(expectation.channelId)
  expect(row.model).toBe(expectation.model)
  expect(toNum(row.status)).toBe(200)
  expect(Boolean(toNum(row.is_stream))).toBe(expectation.stream)
  expect(row.usage_source).toBe('reported')
  const u = native.usage
  expect({
    input: toNum(row.input_tokens),
    cacheRead: toNum(row.cache_read_tokens),
    cacheWrite: toNum(row.cache_write_tokens),
    output: toNum(row.output_tokens),
  }).toEqual({
    input: u.input,
    cacheRead: u.cacheRead,
    cacheWrite: u.cacheWrite5m + u.cacheWrite1h,
    output: u.output,
  })
  expect(toBig(row.cost_nano), 'cost = price × the upstream usage').toBe(expectedCostNano(u))
  return { result, record: { upstream, native } }
}

async function countUsageRows(f: ProxyFixture): Promise<number> {
  const r = await f.t.tdb.db.db
    .selectFrom('usage_logs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** The JSON body of a recorded upstream request. */
export function bodyOf(recorded: RecordedRequest): WireJson {
  return JSON.parse(recorded.body) as WireJson
}
