import {
  collectPromptText,
  computePromptUsage,
  countTextTokens,
  FAKE_CREATED_ISO,
  FAKE_SIGNATURE_PREFIX,
  FAKE_THINKING_TEXT,
  fakeId,
  type FakePromptUsage,
  planText,
  readMaxTokens,
  splitArguments,
  splitIntoDeltas,
} from './fake-content.ts'
import {
  answerText,
  callArguments,
  pickCalls,
  type RequestFeatures,
  seenBase64Image,
  type SeenImage,
  seenImageUrl,
  type SeenOutput,
  type SeenToolResult,
  toolResultText,
  wantsParallelCalls,
} from './fake-features.ts'
import {
  type BodyReply,
  bodyObject,
  echoText,
  type FakeRequest,
  jsonReply,
  type Reply,
  SSE_HEADERS,
} from './fake-reply.ts'
import { checkMessagesHistory } from './check-history.ts'
import { providerErrorReply, STREAM_ERROR_FRAMES } from './provider-errors.ts'

interface Tool {
  name: string
  input: Record<string, unknown>
}

type Block = Record<string, unknown>

function lastMessageHasToolResult(messages: unknown): boolean {
  const last = Array.isArray(messages) ? (messages.at(-1) as { content?: unknown } | undefined) : undefined
  return (
    Array.isArray(last?.content) && last.content.some((b: { type?: unknown }) => b?.type === 'tool_result')
  )
}

/** The tools called (see fake-features.ts): none when tools are off or the last message holds a tool_result. */
function pickTools(body: Record<string, unknown>, promptText: string): Tool[] {
  const tools = Array.isArray(body.tools) ? (body.tools as Block[]) : []
  const custom = tools.filter(
    (t) => typeof t?.name === 'string' && (t.type === undefined || t.type === 'custom'),
  )
  const choice = body.tool_choice as { type?: unknown; name?: unknown } | undefined
  if (custom.length === 0 || choice?.type === 'none' || lastMessageHasToolResult(body.messages)) return []
  const forced = custom.find((t) => t.name === choice?.name)
  return pickCalls(custom, forced, wantsParallelCalls(promptText)).map((t, i) => ({
    name: t.name as string,
    input: callArguments(t.input_schema, i),
  }))
}

function messagesOf(body: Record<string, unknown>): Array<{ role?: unknown; content?: unknown }> {
  return Array.isArray(body.messages) ? (body.messages as Array<{ role?: unknown; content?: unknown }>) : []
}

function blocksOf(message: { content?: unknown } | undefined): Block[] {
  return Array.isArray(message?.content) ? (message.content as Block[]) : []
}

/** The last message's tool_results (named from the tool_use they answer), images and the output format. */
export function readMessagesFeatures(body: Record<string, unknown>): RequestFeatures {
  const messages = messagesOf(body)
  const names = new Map<string, string>()
  for (const m of messages)
    for (const b of blocksOf(m)) if (b?.type === 'tool_use') names.set(String(b.id), String(b.name))
  const toolResults: SeenToolResult[] = blocksOf(messages.at(-1))
    .filter((b) => b?.type === 'tool_result')
    .map((b) => ({
      id: String(b.tool_use_id),
      name: names.get(String(b.tool_use_id)),
      content: toolResultText(b.content),
    }))
  const images: SeenImage[] = []
  for (const m of messages)
    for (const b of blocksOf(m)) {
      const source = b?.type === 'image' ? (b.source as Block | undefined) : undefined
      if (source?.type === 'base64')
        images.push(seenBase64Image(String(source.media_type), String(source.data)))
      else if (source?.type === 'url') images.push(seenImageUrl(String(source.url)))
    }
  type Format = { type?: unknown; schema?: unknown }
  const format =
    (body.output_config as { format?: Format } | undefined)?.format ??
    (body.output_format as Format | undefined)
  const output: SeenOutput | undefined =
    format?.type === 'json_schema' ? { kind: 'json_schema', schema: format.schema } : undefined
  return { toolResults, images, output }
}

/** Anthropic usage: input, cache reads and cache writes are disjoint; 1h writes are broken out. */
function usageOf(prompt: FakePromptUsage, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: prompt.promptTokens - prompt.cachedTokens - prompt.cacheWriteTokens,
    cache_creation_input_tokens: prompt.cacheWriteTokens,
    cache_read_input_tokens: prompt.cachedTokens,
    cache_creation: {
      ephemeral_5m_input_tokens: prompt.cacheWriteTokens - prompt.cacheWrite1hTokens,
      ephemeral_1h_input_tokens: prompt.cacheWrite1hTokens,
    },
    output_tokens: outputTokens,
    service_tier: 'standard',
  }
}

function frame(type: string, payload: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`
}

/** `POST /v1/messages`, plain and streamed. */
export function handleMessages(req: FakeRequest): Reply {
  const body = bodyObject(req)
  const historyError = checkMessagesHistory(body)
  if (historyError) return providerErrorReply('anthropic', 400, { message: historyError })
  const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-5-5'
  const promptText = collectPromptText({ system: body.system, messages: body.messages }).join('\n')
  const prompt = computePromptUsage(promptText)
  const id = fakeId('msg_01', `${model}|${promptText}`, 22)
  const thinkingType = (body.thinking as { type?: unknown } | undefined)?.type
  const thinking = thinkingType === 'enabled' || thinkingType === 'adaptive'
  const thinkingDeltas = thinking ? splitIntoDeltas(FAKE_THINKING_TEXT) : []
  const plan = planText(
    echoText(req) ?? answerText(model, readMessagesFeatures(body)),
    thinkingDeltas.length,
    readMaxTokens(body.max_tokens),
  )
  const tools = plan.truncated ? [] : pickTools(body, promptText)
  const toolJson = tools.map((t) => JSON.stringify(t.input))
  const toolIds = tools.map((_, i) => fakeId('toolu_01', i === 0 ? id : `${id}|${i}`, 22))
  const signature = FAKE_SIGNATURE_PREFIX + fakeId('', id, 40)
  const outputTokens =
    plan.reasoningTokens +
    plan.outputTokens +
    tools.reduce((sum, t, i) => sum + countTextTokens(t.name + toolJson[i]), 0)
  const stopReason = plan.truncated ? 'max_tokens' : tools.length > 0 ? 'tool_use' : 'end_turn'
  const noUsage = req.scenario?.name === 'no-usage'
  const usage = usageOf(prompt, outputTokens)
  const headers = { 'request-id': fakeId('req_011C', id, 20) }

  if (body.stream !== true) {
    const content: unknown[] = []
    if (thinking)
      content.push({
        type: 'thinking',
        thinking: thinkingDeltas.slice(0, plan.reasoningTokens).join(''),
        signature,
      })
    content.push({ type: 'text', text: plan.text })
    tools.forEach((t, i) => content.push({ type: 'tool_use', id: toolIds[i], name: t.name, input: t.input }))
    const answer: Record<string, unknown> = {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
    }
    if (!noUsage) answer.usage = usage
    return jsonReply(200, answer, headers)
  }

  const frames: string[] = []
  const startUsage = noUsage ? {} : { usage: { ...usage, output_tokens: 1 } }
  const message = {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
  }
  frames.push(frame('message_start', { message: { ...message, ...startUsage } }))
  let index = 0
  const block = (start: Record<string, unknown>, deltas: Array<Record<string, unknown>>) => {
    frames.push(frame('content_block_start', { index, content_block: start }))
    if (index === 0) frames.push('event: ping\ndata: {"type": "ping"}\n\n')
    for (const delta of deltas) frames.push(frame('content_block_delta', { index, delta }))
    frames.push(frame('content_block_stop', { index }))
    index++
  }
  if (thinking) {
    const deltas = thinkingDeltas
      .slice(0, plan.reasoningTokens)
      .map((t) => ({ type: 'thinking_delta', thinking: t }))
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...deltas,
      { type: 'signature_delta', signature },
    ])
  }
  block(
    { type: 'text', text: '' },
    plan.deltas.map((text) => ({ type: 'text_delta', text })),
  )
  tools.forEach((t, i) => {
    const fragments = ['', ...splitArguments(toolJson[i])].map((partial_json) => ({
      type: 'input_json_delta',
      partial_json,
    }))
    block({ type: 'tool_use', id: toolIds[i], name: t.name, input: {} }, fragments)
  })
  // message_delta usage is cumulative and repeats the input and cache counts (never to be added).
  const { cache_creation: _detail, service_tier: _tier, ...deltaUsage } = usage
  frames.push(
    frame('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      ...(noUsage ? {} : { usage: deltaUsage }),
    }),
  )
  frames.push(frame('message_stop', {}))
  return {
    kind: 'stream',
    headers: { ...SSE_HEADERS, ...headers },
    frames,
    errorFrame: STREAM_ERROR_FRAMES.anthropic,
    badFrame:
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n',
  }
}

/** `POST /v1/messages/count_tokens`. */
export function handleCountTokens(req: FakeRequest): BodyReply {
  const body = bodyObject(req)
  const prompt = computePromptUsage(
    collectPromptText({ system: body.system, messages: body.messages }).join('\n'),
  )
  return jsonReply(200, { input_tokens: prompt.promptTokens })
}

export const ANTHROPIC_MODELS = [
  { id: 'claude-opus-5-5', display_name: 'Claude Opus 5.5' },
  { id: 'claude-sonnet-5-5', display_name: 'Claude Sonnet 5.5' },
  { id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5' },
]

/** `GET /v1/models` (with `anthropic-version`) and `GET /v1/models/{id}` in Anthropic's shape. */
export function handleAnthropicModels(req: FakeRequest): BodyReply {
  const model = (m: { id: string; display_name: string }) => ({
    type: 'model',
    ...m,
    created_at: FAKE_CREATED_ISO,
  })
  if (req.path.startsWith('/v1/models/')) {
    const id = decodeURIComponent(req.path.slice('/v1/models/'.length))
    return jsonReply(200, model(ANTHROPIC_MODELS.find((m) => m.id === id) ?? { id, display_name: id }))
  }
  return jsonReply(200, {
    data: ANTHROPIC_MODELS.map(model),
    has_more: false,
    first_id: ANTHROPIC_MODELS[0].id,
    last_id: ANTHROPIC_MODELS.at(-1)?.id,
  })
}
