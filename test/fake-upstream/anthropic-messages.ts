import {
  collectPromptText,
  computePromptUsage,
  countTextTokens,
  FAKE_CREATED_ISO,
  FAKE_THINKING_TEXT,
  fakeAnswerText,
  fakeId,
  type FakePromptUsage,
  planText,
  readMaxTokens,
  sampleToolArguments,
  splitArguments,
  splitIntoDeltas,
} from './fake-content.ts'
import {
  type BodyReply,
  bodyObject,
  echoText,
  type FakeRequest,
  jsonReply,
  type Reply,
  SSE_HEADERS,
} from './fake-reply.ts'
import { STREAM_ERROR_FRAMES } from './provider-errors.ts'

interface Tool {
  name: string
  input: Record<string, unknown>
}

function lastMessageHasToolResult(messages: unknown): boolean {
  const last = Array.isArray(messages) ? (messages.at(-1) as { content?: unknown } | undefined) : undefined
  return (
    Array.isArray(last?.content) && last.content.some((b: { type?: unknown }) => b?.type === 'tool_result')
  )
}

function pickTool(body: Record<string, unknown>): Tool | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<Record<string, unknown>>) : []
  const custom = tools.filter(
    (t) => typeof t?.name === 'string' && (t.type === undefined || t.type === 'custom'),
  )
  const choice = body.tool_choice as { type?: unknown; name?: unknown } | undefined
  if (custom.length === 0 || choice?.type === 'none' || lastMessageHasToolResult(body.messages))
    return undefined
  const tool = custom.find((t) => t.name === choice?.name) ?? custom[0]
  return { name: tool.name as string, input: sampleToolArguments(tool.input_schema) }
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
  const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-5-5'
  const promptText = collectPromptText({ system: body.system, messages: body.messages }).join('\n')
  const prompt = computePromptUsage(promptText)
  const id = fakeId('msg_01', `${model}|${promptText}`, 22)
  const thinkingType = (body.thinking as { type?: unknown } | undefined)?.type
  const thinking = thinkingType === 'enabled' || thinkingType === 'adaptive'
  const thinkingDeltas = thinking ? splitIntoDeltas(FAKE_THINKING_TEXT) : []
  const plan = planText(
    echoText(req) ?? fakeAnswerText(model),
    thinkingDeltas.length,
    readMaxTokens(body.max_tokens),
  )
  const tool = plan.truncated ? undefined : pickTool(body)
  const toolJson = tool ? JSON.stringify(tool.input) : ''
  const toolId = fakeId('toolu_01', id, 22)
  const signature = 'EqQBCkYIBhgCKkD' + fakeId('', id, 40)
  const outputTokens =
    plan.reasoningTokens + plan.outputTokens + (tool ? countTextTokens(tool.name + toolJson) : 0)
  const stopReason = plan.truncated ? 'max_tokens' : tool ? 'tool_use' : 'end_turn'
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
    if (tool) content.push({ type: 'tool_use', id: toolId, name: tool.name, input: tool.input })
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
  if (tool) {
    const fragments = ['', ...splitArguments(toolJson)].map((partial_json) => ({
      type: 'input_json_delta',
      partial_json,
    }))
    block({ type: 'tool_use', id: toolId, name: tool.name, input: {} }, fragments)
  }
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
