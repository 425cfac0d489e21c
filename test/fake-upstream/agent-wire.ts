/**
 * The scripted agent's turns (agent-script.ts) in each provider's wire format, plain and streamed, as the providers
 * send them: a short text, then either one tool call (arguments streamed in fragments) or nothing more.
 */
import { FAKE_CREATED, FAKE_CREATED_ISO, fakeId, splitArguments, splitIntoDeltas } from './fake-content.ts'
import { jsonReply, type Reply, SSE_HEADERS } from './fake-reply.ts'
import { STREAM_ERROR_FRAMES } from './provider-errors.ts'

export type AgentDialect = 'openai-chat' | 'openai-responses' | 'anthropic-messages' | 'gemini-generate'

/** One answer of the agent: a text, and a tool call when the task is not done yet. */
export interface AgentTurn {
  model: string
  /** Seed of the answer's ids. */
  seed: string
  text: string
  call?: { name: string; args: Record<string, unknown> }
  stream: boolean
  /** OpenAI chat streams carry usage only when the request asked for it (`stream_options.include_usage`). */
  streamUsage: boolean
}

/** The usage the agent reports, in disjoint categories (each provider's own fields are derived from it). */
export interface AgentUsage {
  uncachedInput: number
  cacheRead: number
  output: number
}

/** The tool call id the provider gives the call (Gemini gives none, as its API does). */
export function agentCallId(dialect: AgentDialect, seed: string): string | undefined {
  switch (dialect) {
    case 'openai-chat':
      return fakeId('call_', seed, 24)
    case 'openai-responses':
      return fakeId('call_', seed, 24)
    case 'anthropic-messages':
      return fakeId('toolu_01', seed, 22)
    case 'gemini-generate':
      return undefined
  }
}

const sse = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`
const namedSse = (type: string, value: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...value })}\n\n`

function streamReply(frames: string[], errorFrame: string): Reply {
  return { kind: 'stream', headers: { ...SSE_HEADERS }, frames, errorFrame, badFrame: 'data: {"broken\n\n' }
}

/** Encodes `turn` with `usage` in `dialect`. */
export function encodeAgentTurn(dialect: AgentDialect, turn: AgentTurn, usage: AgentUsage): Reply {
  switch (dialect) {
    case 'openai-chat':
      return encodeChat(turn, usage)
    case 'openai-responses':
      return encodeResponses(turn, usage)
    case 'anthropic-messages':
      return encodeMessages(turn, usage)
    case 'gemini-generate':
      return encodeGemini(turn, usage)
  }
}

function encodeChat(turn: AgentTurn, usage: AgentUsage): Reply {
  const id = fakeId('chatcmpl-', turn.seed, 29)
  const callId = agentCallId('openai-chat', turn.seed)
  const args = turn.call ? JSON.stringify(turn.call.args) : ''
  const finish = turn.call ? 'tool_calls' : 'stop'
  const prompt = usage.uncachedInput + usage.cacheRead
  const wireUsage = {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  }
  const head = { id, object: 'chat.completion.chunk', created: FAKE_CREATED, model: turn.model }
  if (!turn.stream) {
    const toolCalls = turn.call
      ? [{ id: callId, type: 'function', function: { name: turn.call.name, arguments: args } }]
      : undefined
    return jsonReply(200, {
      id,
      object: 'chat.completion',
      created: FAKE_CREATED,
      model: turn.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: turn.text, refusal: null, tool_calls: toolCalls },
          finish_reason: finish,
        },
      ],
      usage: wireUsage,
    })
  }
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    sse({ ...head, choices: [{ index: 0, delta, finish_reason: finishReason }] })
  const frames = [chunk({ role: 'assistant', content: '' })]
  for (const text of splitIntoDeltas(turn.text)) frames.push(chunk({ content: text }))
  if (turn.call) {
    const name = turn.call.name
    frames.push(
      chunk({ tool_calls: [{ index: 0, id: callId, type: 'function', function: { name, arguments: '' } }] }),
    )
    for (const fragment of splitArguments(args))
      frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: fragment } }] }))
  }
  frames.push(chunk({}, finish))
  if (turn.streamUsage) frames.push(sse({ ...head, choices: [], usage: wireUsage }))
  frames.push('data: [DONE]\n\n')
  return streamReply(frames, STREAM_ERROR_FRAMES.openai)
}

function encodeResponses(turn: AgentTurn, usage: AgentUsage): Reply {
  const id = fakeId('resp_', turn.seed, 48)
  const prompt = usage.uncachedInput + usage.cacheRead
  const wireUsage = {
    input_tokens: prompt,
    input_tokens_details: { cached_tokens: usage.cacheRead },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: prompt + usage.output,
  }
  const part = { type: 'output_text', annotations: [], logprobs: [], text: turn.text }
  const message = {
    id: fakeId('msg_', turn.seed, 48),
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [part],
  }
  const args = turn.call ? JSON.stringify(turn.call.args) : ''
  const call = turn.call
    ? {
        id: fakeId('fc_', turn.seed, 48),
        type: 'function_call',
        status: 'completed',
        arguments: args,
        call_id: agentCallId('openai-responses', turn.seed),
        name: turn.call.name,
      }
    : undefined
  const output = call ? [message, call] : [message]
  const response = (status: string, items: unknown[], u: unknown) => ({
    id,
    object: 'response',
    created_at: FAKE_CREATED,
    status,
    error: null,
    incomplete_details: null,
    model: turn.model,
    output: items,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: u,
  })
  if (!turn.stream) return jsonReply(200, response('completed', output, wireUsage))
  const frames: string[] = []
  const emit = (type: string, payload: Record<string, unknown>) =>
    frames.push(namedSse(type, { sequence_number: frames.length, ...payload }))
  emit('response.created', { response: response('in_progress', [], null) })
  emit('response.in_progress', { response: response('in_progress', [], null) })
  const ids = { item_id: message.id, output_index: 0, content_index: 0 }
  emit('response.output_item.added', {
    output_index: 0,
    item: { ...message, status: 'in_progress', content: [] },
  })
  emit('response.content_part.added', { ...ids, part: { ...part, text: '' } })
  for (const delta of splitIntoDeltas(turn.text))
    emit('response.output_text.delta', { ...ids, delta, logprobs: [] })
  emit('response.output_text.done', { ...ids, text: turn.text, logprobs: [] })
  emit('response.content_part.done', { ...ids, part })
  emit('response.output_item.done', { output_index: 0, item: message })
  if (call) {
    emit('response.output_item.added', {
      output_index: 1,
      item: { ...call, status: 'in_progress', arguments: '' },
    })
    for (const delta of splitArguments(args))
      emit('response.function_call_arguments.delta', { item_id: call.id, output_index: 1, delta })
    emit('response.function_call_arguments.done', { item_id: call.id, output_index: 1, arguments: args })
    emit('response.output_item.done', { output_index: 1, item: call })
  }
  emit('response.completed', { response: response('completed', output, wireUsage) })
  return streamReply(frames, STREAM_ERROR_FRAMES.openai)
}

function encodeMessages(turn: AgentTurn, usage: AgentUsage): Reply {
  const id = fakeId('msg_01', turn.seed, 22)
  const callId = agentCallId('anthropic-messages', turn.seed)
  const stopReason = turn.call ? 'tool_use' : 'end_turn'
  const wireUsage = {
    input_tokens: usage.uncachedInput,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: usage.output,
  }
  const message = { id, type: 'message', role: 'assistant', model: turn.model }
  if (!turn.stream) {
    const content: unknown[] = [{ type: 'text', text: turn.text }]
    if (turn.call) content.push({ type: 'tool_use', id: callId, name: turn.call.name, input: turn.call.args })
    return jsonReply(200, {
      ...message,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: wireUsage,
    })
  }
  const frames = [
    namedSse('message_start', {
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...wireUsage, output_tokens: 1 },
      },
    }),
    namedSse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ]
  for (const text of splitIntoDeltas(turn.text))
    frames.push(namedSse('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }))
  frames.push(namedSse('content_block_stop', { index: 0 }))
  if (turn.call) {
    frames.push(
      namedSse('content_block_start', {
        index: 1,
        content_block: { type: 'tool_use', id: callId, name: turn.call.name, input: {} },
      }),
    )
    for (const partial_json of splitArguments(JSON.stringify(turn.call.args)))
      frames.push(
        namedSse('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json } }),
      )
    frames.push(namedSse('content_block_stop', { index: 1 }))
  }
  frames.push(
    namedSse('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: wireUsage,
    }),
  )
  frames.push(namedSse('message_stop', {}))
  return streamReply(frames, STREAM_ERROR_FRAMES.anthropic)
}

function encodeGemini(turn: AgentTurn, usage: AgentUsage): Reply {
  const prompt = usage.uncachedInput + usage.cacheRead
  const usageMetadata = {
    promptTokenCount: prompt,
    cachedContentTokenCount: usage.cacheRead,
    candidatesTokenCount: usage.output,
    totalTokenCount: prompt + usage.output,
  }
  const responseId = fakeId('', turn.seed, 22)
  const modelVersion = turn.model
  const callPart = turn.call ? { functionCall: { name: turn.call.name, args: turn.call.args } } : undefined
  const candidate = (parts: unknown[], finishReason?: string) => ({
    content: { role: 'model', parts },
    ...(finishReason ? { finishReason } : {}),
    index: 0,
  })
  if (!turn.stream) {
    const parts: unknown[] = [{ text: turn.text }]
    if (callPart) parts.push(callPart)
    return jsonReply(200, {
      candidates: [candidate(parts, 'STOP')],
      usageMetadata,
      modelVersion,
      responseId,
      createTime: FAKE_CREATED_ISO,
    })
  }
  const deltas = splitIntoDeltas(turn.text)
  const frames = deltas.map((text, i) =>
    sse({
      candidates: [candidate([{ text }], !callPart && i === deltas.length - 1 ? 'STOP' : undefined)],
      ...(!callPart && i === deltas.length - 1 ? { usageMetadata } : {}),
      modelVersion,
      responseId,
    }),
  )
  if (callPart)
    frames.push(sse({ candidates: [candidate([callPart], 'STOP')], usageMetadata, modelVersion, responseId }))
  return streamReply(frames, STREAM_ERROR_FRAMES.gemini)
}
