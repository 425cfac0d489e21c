/**
 * The contract matrix as data (issue 17, acceptance 1): every client dialect × channel, plain and streamed,
 * every feature; and `runCell`, which drives one cell through the official SDK and checks content, tool ids and
 * arguments, the finish reason, the usage the client sees and the amount billed.
 */
import { expect } from 'vitest'
import { FAKE_THINKING_TEXT, fakeAnswerText } from '../fake-upstream/fake-content.ts'
import {
  callArguments,
  describeImage,
  sampleFromSchema,
  seenBase64Image,
} from '../fake-upstream/fake-features.ts'
import {
  ANSWER_SCHEMA,
  type ClientAdapter,
  type ClientName,
  type ClientTurn,
  type Feature,
  IMAGE,
  toolResultFor,
  toolsOf,
} from './client-turn.ts'
import {
  bodyOf,
  CHANNEL_MODELS,
  type ChannelName,
  type ContractGateway,
  GEMINI_3_MODEL,
  observeCall,
  type UpstreamApi,
} from './contract-fixture.ts'
import {
  expectClientUsage,
  NATURAL_FINISH,
  receivedToolResults,
  replayedCallIds,
  TOOL_FINISH,
} from './expected-client-view.ts'
import type { WireJson } from './wire-json.ts'

export const CLIENTS: readonly ClientName[] = ['chat', 'responses', 'messages', 'generate']
export const FEATURES: readonly Feature[] = ['text', 'tool', 'parallel', 'image', 'json', 'thinking']

/**
 * A thinking request in a tool loop on an Anthropic channel: the signed thinking block must come back unchanged
 * with the tool results — from a Messages client natively, from a Responses client through its reasoning item
 * (`encrypted_content`). Chat Completions has no field to carry a signature (translation-map §2.2).
 */
export const THINKING_REPLAY_CELLS: readonly Cell[] = (['messages', 'responses'] as const).flatMap((client) =>
  [false, true].map((stream) => ({
    name: `${client} → anthropic, ${stream ? 'streamed' : 'plain'}: thinking in a tool loop`,
    client,
    channel: 'anthropic' as const,
    stream,
    feature: 'thinking-tool' as const,
    sameProtocol: client === 'messages',
  })),
)

/** The protocol each client speaks natively: its same-protocol channel. */
const HOME: Record<ClientName, ChannelName> = {
  chat: 'openai',
  responses: 'openai',
  messages: 'anthropic',
  generate: 'gemini',
}

/** The upstream API a client's request must reach on a channel (translation only when they differ). */
function upstreamApi(client: ClientName, channel: ChannelName): UpstreamApi {
  if (channel === 'anthropic') return 'anthropic-messages'
  if (channel === 'gemini') return 'gemini-generate'
  return client === 'responses' && channel === 'openai' ? 'openai-responses' : 'openai-chat'
}

export interface Cell {
  name: string
  client: ClientName
  channel: ChannelName
  stream: boolean
  feature: Feature
  /** Client and channel speak the same API: the bytes pass straight through. */
  sameProtocol: boolean
}

/** Every client × every channel (the chat-only OpenAI channel matters to Responses clients only). */
export const CELLS: readonly Cell[] = CLIENTS.flatMap((client) =>
  (['openai', 'openai-chat-only', 'anthropic', 'gemini'] as const)
    .filter((channel) => channel !== 'openai-chat-only' || client === 'responses')
    .flatMap((channel) =>
      [false, true].flatMap((stream) =>
        FEATURES.map((feature) => ({
          name: `${client} → ${channel}, ${stream ? 'streamed' : 'plain'}: ${feature}`,
          client,
          channel,
          stream,
          feature,
          sameProtocol: HOME[client] === channel,
        })),
      ),
    ),
)

/** Parallel calls on Gemini go to the Gemini 3 style model: its calls carry ids and a thoughtSignature. */
function modelOf(cell: Cell): { model: string; channelKey: ChannelName | 'gemini-3' } {
  if (cell.channel === 'gemini' && cell.feature === 'parallel')
    return { model: GEMINI_3_MODEL, channelKey: 'gemini-3' }
  return { model: CHANNEL_MODELS[cell.channel], channelKey: cell.channel }
}

/** Whether the client has a place to show thinking text (Chat Completions has none). */
const SHOWS_THINKING: Record<ClientName, boolean> = {
  chat: false,
  responses: true,
  messages: true,
  generate: true,
}

export async function runCell(
  g: ContractGateway,
  clients: Record<ClientName, ClientAdapter>,
  cell: Cell,
): Promise<void> {
  const { model, channelKey } = modelOf(cell)
  const api = upstreamApi(cell.client, cell.channel)
  const expectation = { api, channelId: g.channelIds[channelKey], model, stream: cell.stream }
  const adapter = clients[cell.client]
  const req = { model, stream: cell.stream, feature: cell.feature }

  const first = await observeCall(g, expectation, () => adapter.ask(req))
  const { turn, session } = first.result
  expectClientUsage(cell.client, turn.usage, first.record.native.usage)
  const upstreamBody = bodyOf(first.record.upstream)

  switch (cell.feature) {
    case 'text':
      expect(turn.text).toBe(fakeAnswerText(model))
      expect(turn.calls).toEqual([])
      expect(turn.finish).toBe(NATURAL_FINISH[cell.client])
      return
    case 'image':
      expect(turn.text).toContain(`Images: ${describeImage(seenBase64Image(IMAGE.mediaType, IMAGE.base64))}.`)
      expect(turn.finish).toBe(NATURAL_FINISH[cell.client])
      return
    case 'json':
      expect(JSON.parse(turn.text)).toEqual(sampleFromSchema(ANSWER_SCHEMA))
      expect(turn.finish).toBe(NATURAL_FINISH[cell.client])
      return
    case 'thinking':
      expect(turn.text).toBe(fakeAnswerText(model))
      expect(turn.finish).toBe(NATURAL_FINISH[cell.client])
      expectThinking(cell, api, upstreamBody, turn)
      return
    case 'tool':
    case 'parallel':
      await runToolRoundTrip(g, cell, adapter, req, expectation, first, turn, session)
      return
    case 'thinking-tool': {
      expectThinking(cell, api, upstreamBody, turn)
      const replayed = await runToolRoundTrip(g, cell, adapter, req, expectation, first, turn, session)
      const assistant = replayed.messages.at(-2)
      expect(assistant.content[0], 'the signed thinking block, replayed unchanged').toEqual({
        type: 'thinking',
        thinking: FAKE_THINKING_TEXT,
        signature: first.record.native.thinkingSignatures[0],
      })
      return
    }
  }
}

/** The reasoning request reached the upstream in its own field, and the thinking it wrote reached the client. */
function expectThinking(cell: Cell, api: UpstreamApi, body: WireJson, turn: ClientTurn): void {
  let upstreamWrites = false
  switch (api) {
    case 'openai-chat':
      expect(body.reasoning_effort, 'reasoning_effort').toBeTruthy()
      break
    case 'openai-responses':
      expect(body.reasoning?.effort, 'reasoning.effort').toBeTruthy()
      upstreamWrites = body.reasoning?.summary != null
      break
    case 'anthropic-messages':
      expect(['enabled', 'adaptive']).toContain(body.thinking?.type)
      upstreamWrites = true
      break
    case 'gemini-generate':
      expect(body.generationConfig?.thinkingConfig, 'thinkingConfig').toBeDefined()
      upstreamWrites = body.generationConfig.thinkingConfig.includeThoughts === true
      // A client that shows thinking asked to see it: the upstream must be asked to include thoughts.
      if (SHOWS_THINKING[cell.client]) expect(upstreamWrites, 'includeThoughts').toBe(true)
      break
  }
  if (SHOWS_THINKING[cell.client] && upstreamWrites) expect(turn.thinking).toBe(FAKE_THINKING_TEXT)
  if (!upstreamWrites) expect(turn.thinking).toBe('')
}

async function runToolRoundTrip(
  g: ContractGateway,
  cell: Cell,
  adapter: ClientAdapter,
  req: { model: string; stream: boolean; feature: Feature },
  expectation: Parameters<typeof observeCall>[1],
  first: Awaited<ReturnType<typeof observeCall<{ turn: ClientTurn; session: unknown }>>>,
  turn: ClientTurn,
  session: unknown,
): Promise<WireJson> {
  const tools = toolsOf(cell.feature)
  const expectedCalls =
    cell.feature === 'parallel'
      ? [
          { name: tools[0].name, args: callArguments(tools[0].parameters, 0) },
          { name: tools[1].name, args: callArguments(tools[1].parameters, 1) },
        ]
      : [{ name: tools[0].name, args: callArguments(tools[0].parameters, 0) }]
  expect(turn.calls.map((c) => ({ name: c.name, args: c.args }))).toEqual(expectedCalls)
  expect(turn.finish).toBe(TOOL_FINISH[cell.client])
  const native = first.record.native
  expect(native.toolIds).toHaveLength(expectedCalls.length)

  // Ids: every call has one the client can send back (Gemini clients may get none from a Gemini without ids),
  // distinct, and on the same protocol the very id the provider issued.
  const ids = turn.calls.map((c) => c.id)
  const upstreamHasIds = native.toolIds.every((id) => id !== undefined)
  if (cell.client !== 'generate' || upstreamHasIds) {
    for (const id of ids) expect(id, 'tool call id').toMatch(/\S/)
    expect(new Set(ids).size, 'distinct ids').toBe(ids.length)
  }
  if (cell.client === 'messages') for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9_-]+$/)
  if (cell.sameProtocol) expect(ids).toEqual(native.toolIds)

  // Streamed arguments arrive in fragments wherever both sides stream them (Gemini sends whole calls).
  if (cell.stream && cell.client !== 'generate' && expectation.api !== 'gemini-generate')
    for (const c of turn.calls) expect(c.fragments, `argument fragments of ${c.name}`).toBeGreaterThan(1)

  const results = turn.calls.map((_, i) => toolResultFor(i))
  const second = await observeCall(g, expectation, () => adapter.answerTools(req, session, results))
  const final = second.result
  expectClientUsage(cell.client, final.usage, second.record.native.usage)
  expect(final.finish).toBe(NATURAL_FINISH[cell.client])
  expect(final.calls).toEqual([])

  // The upstream got back its own calls and, for each, the result under the id it issued.
  const body = bodyOf(second.record.upstream)
  expect(replayedCallIds(expectation.api, body), 'the replayed calls keep the upstream ids').toEqual(
    native.toolIds,
  )
  const received = receivedToolResults(expectation.api, body)
  expect(
    received.map((r) => r.id),
    'results under the upstream ids',
  ).toEqual(native.toolIds)
  received.forEach((r, i) => {
    expect(r.content).toContain(results[i])
    if (r.name !== undefined) expect(r.name).toBe(expectedCalls[i].name)
  })
  // And its answer, which echoes what it received, reached the client.
  expect(final.text).toContain(fakeAnswerText(req.model))
  expect(final.text).toContain('Tool results:')
  for (const [i, result] of results.entries()) {
    expect(final.text).toContain(result)
    if (native.toolIds[i] !== undefined) expect(final.text).toContain(`${native.toolIds[i]}=`)
  }
  return body
}
