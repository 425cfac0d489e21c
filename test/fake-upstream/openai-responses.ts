import {
  collectPromptText,
  computePromptUsage,
  countTextTokens,
  FAKE_CREATED,
  FAKE_REASONING_TOKENS,
  fakeAnswerText,
  fakeId,
  planText,
  readMaxTokens,
  sampleToolArguments,
  splitArguments,
} from './fake-content.ts'
import {
  bodyObject,
  echoText,
  type FakeRequest,
  jsonReply,
  midpoint,
  type Reply,
  SSE_HEADERS,
} from './fake-reply.ts'

interface FunctionTool {
  name: string
  parameters: unknown
}

/** The function tool called: none when tools are off or the last input item is a function result. */
function pickTool(body: Record<string, unknown>): FunctionTool | undefined {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<Record<string, unknown>>) : []
  const functions = tools.filter((t) => t?.type === 'function' && typeof t.name === 'string')
  if (functions.length === 0 || body.tool_choice === 'none') return undefined
  const input = Array.isArray(body.input) ? (body.input as Array<Record<string, unknown>>) : []
  if (input.at(-1)?.type === 'function_call_output') return undefined
  const forced = (body.tool_choice as { name?: unknown } | undefined)?.name
  const fn = functions.find((t) => t.name === forced) ?? functions[0]
  return { name: fn.name as string, parameters: fn.parameters }
}

/** `POST /v1/responses`, plain and streamed (every event has `event:` and a `sequence_number`). */
export function handleResponses(req: FakeRequest): Reply {
  const body = bodyObject(req)
  const model = typeof body.model === 'string' ? body.model : 'gpt-5'
  const promptText = collectPromptText({ instructions: body.instructions, input: body.input }).join('\n')
  const prompt = computePromptUsage(promptText)
  const id = fakeId('resp_', `${model}|${promptText}`, 48)
  const tool = pickTool(body)
  const plan = planText(
    echoText(req) ?? fakeAnswerText(model),
    FAKE_REASONING_TOKENS,
    readMaxTokens(body.max_output_tokens),
  )
  const args = tool ? JSON.stringify(sampleToolArguments(tool.parameters)) : ''
  const visible = tool && !plan.truncated ? countTextTokens(tool.name + args) : plan.outputTokens
  const outputTokens = visible + plan.reasoningTokens
  const noUsage = req.scenario?.name === 'no-usage'
  const usageOf = (output: number) =>
    noUsage
      ? null
      : {
          input_tokens: prompt.promptTokens,
          input_tokens_details: { cached_tokens: prompt.cachedTokens },
          output_tokens: output,
          output_tokens_details: { reasoning_tokens: Math.min(output, plan.reasoningTokens) },
          total_tokens: prompt.promptTokens + output,
        }
  const include = Array.isArray(body.include) ? body.include : []
  const reasoningItem: Record<string, unknown> = { id: fakeId('rs_', id, 48), type: 'reasoning', summary: [] }
  if (include.includes('reasoning.encrypted_content'))
    reasoningItem.encrypted_content = 'gAAAAABfake' + fakeId('', id, 64)
  const status = plan.truncated ? 'incomplete' : 'completed'
  const messageId = fakeId('msg_', id, 48)
  const part = { type: 'output_text', annotations: [], logprobs: [], text: plan.text }
  const message = { id: messageId, type: 'message', status, content: [part], role: 'assistant' }
  const call = tool
    ? {
        id: fakeId('fc_', id, 48),
        type: 'function_call',
        status: 'completed',
        arguments: args,
        call_id: fakeId('call_', id, 24),
        name: tool.name,
      }
    : undefined
  const reasoning = body.reasoning as { effort?: unknown; summary?: unknown } | undefined
  const response = (
    state: string,
    output: unknown[],
    usage: unknown,
    extra: Record<string, unknown> = {},
  ) => ({
    id,
    object: 'response',
    created_at: FAKE_CREATED,
    status: state,
    background: false,
    error: null,
    incomplete_details: state === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: reasoning?.effort ?? null, summary: reasoning?.summary ?? null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: body.metadata ?? {},
    ...extra,
  })
  const finalOutput = [reasoningItem, call && !plan.truncated ? call : message]

  if (body.stream !== true) return jsonReply(200, response(status, finalOutput, usageOf(outputTokens)))

  const frames: string[] = []
  const emit = (type: string, payload: Record<string, unknown>) => {
    frames.push(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: frames.length, ...payload })}\n\n`,
    )
  }
  emit('response.created', { response: response('in_progress', [], null) })
  emit('response.in_progress', { response: response('in_progress', [], null) })
  emit('response.output_item.added', { output_index: 0, item: reasoningItem })
  emit('response.output_item.done', { output_index: 0, item: reasoningItem })
  if (call && !plan.truncated) {
    emit('response.output_item.added', {
      output_index: 1,
      item: { ...call, status: 'in_progress', arguments: '' },
    })
    for (const delta of splitArguments(args)) {
      emit('response.function_call_arguments.delta', { item_id: call.id, output_index: 1, delta })
    }
    emit('response.function_call_arguments.done', { item_id: call.id, output_index: 1, arguments: args })
    emit('response.output_item.done', { output_index: 1, item: call })
  } else {
    const ids = { item_id: messageId, output_index: 1, content_index: 0 }
    emit('response.output_item.added', {
      output_index: 1,
      item: { ...message, status: 'in_progress', content: [] },
    })
    emit('response.content_part.added', { ...ids, part: { ...part, text: '' } })
    for (const delta of plan.deltas) emit('response.output_text.delta', { ...ids, delta, logprobs: [] })
    emit('response.output_text.done', { ...ids, text: plan.text, logprobs: [] })
    emit('response.content_part.done', { ...ids, part })
    emit('response.output_item.done', { output_index: 1, item: message })
  }
  const terminal = plan.truncated ? 'response.incomplete' : 'response.completed'
  emit(terminal, { response: response(status, finalOutput, usageOf(outputTokens)) })

  const cut = midpoint(frames.length)
  const failed = response(
    'failed',
    [reasoningItem],
    usageOf(plan.reasoningTokens + Math.floor(visible / 2)),
    {
      error: { code: 'server_error', message: 'The server had an error processing your request.' },
    },
  )
  return {
    kind: 'stream',
    headers: { ...SSE_HEADERS, 'x-request-id': fakeId('req_', id, 16) },
    frames,
    errorFrame: `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: cut, response: failed })}\n\n`,
    badFrame:
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"tru\n\n',
  }
}
