import {
  collectPromptText,
  computePromptUsage,
  countTextTokens,
  FAKE_CREATED,
  FAKE_REASONING_TOKENS,
  FAKE_THINKING_TEXT,
  fakeId,
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
  type SeenImage,
  type SeenOutput,
  type SeenToolResult,
  seenImageUrl,
  toolResultText,
  wantsParallelCalls,
} from './fake-features.ts'
import {
  bodyObject,
  echoText,
  type FakeRequest,
  jsonReply,
  midpoint,
  type Reply,
  SSE_HEADERS,
} from './fake-reply.ts'
import { checkResponsesHistory } from './check-history.ts'
import { providerErrorReply } from './provider-errors.ts'

interface FunctionTool {
  name: string
  parameters: unknown
}

type Item = Record<string, unknown>

/** The function tools called (see fake-features.ts): none when tools are off or the last input item is a result. */
function pickTools(body: Record<string, unknown>, promptText: string): FunctionTool[] {
  const tools = Array.isArray(body.tools) ? (body.tools as Item[]) : []
  const functions = tools.filter((t) => t?.type === 'function' && typeof t.name === 'string')
  if (functions.length === 0 || body.tool_choice === 'none') return []
  const input = Array.isArray(body.input) ? (body.input as Item[]) : []
  if (input.at(-1)?.type === 'function_call_output') return []
  const forcedName = (body.tool_choice as { name?: unknown } | undefined)?.name
  const forced = functions.find((t) => t.name === forcedName)
  return pickCalls(functions, forced, wantsParallelCalls(promptText)).map((fn) => ({
    name: fn.name as string,
    parameters: fn.parameters,
  }))
}

/** The trailing function_call_output items (named from their function_call), input images and text.format. */
export function readResponsesFeatures(body: Record<string, unknown>): RequestFeatures {
  const input = Array.isArray(body.input) ? (body.input as Item[]) : []
  const names = new Map<string, string>()
  for (const item of input)
    if (item?.type === 'function_call') names.set(String(item.call_id), String(item.name))
  const toolResults: SeenToolResult[] = []
  for (let i = input.length - 1; i >= 0 && input[i]?.type === 'function_call_output'; i--) {
    const id = String(input[i].call_id)
    toolResults.unshift({ id, name: names.get(id), content: toolResultText(input[i].output) })
  }
  const images: SeenImage[] = []
  for (const item of input)
    for (const part of Array.isArray(item?.content) ? (item.content as Item[]) : [])
      if (part?.type === 'input_image' && typeof part.image_url === 'string')
        images.push(seenImageUrl(part.image_url))
  const format = (body.text as { format?: { type?: unknown; schema?: unknown } } | undefined)?.format
  const output: SeenOutput | undefined =
    format?.type === 'json_schema'
      ? { kind: 'json_schema', schema: format.schema }
      : format?.type === 'json_object'
        ? { kind: 'json_object' }
        : undefined
  return { toolResults, images, output }
}

/** `POST /v1/responses`, plain and streamed (every event has `event:` and a `sequence_number`). */
export function handleResponses(req: FakeRequest): Reply {
  const body = bodyObject(req)
  const historyError = checkResponsesHistory(body)
  if (historyError) return providerErrorReply('openai', 400, { message: historyError })
  const model = typeof body.model === 'string' ? body.model : 'gpt-5'
  const promptText = collectPromptText({ instructions: body.instructions, input: body.input }).join('\n')
  const prompt = computePromptUsage(promptText)
  const id = fakeId('resp_', `${model}|${promptText}`, 48)
  const tools = pickTools(body, promptText)
  const plan = planText(
    echoText(req) ?? answerText(model, readResponsesFeatures(body)),
    FAKE_REASONING_TOKENS,
    readMaxTokens(body.max_output_tokens),
  )
  const argsOf = tools.map((t, i) => JSON.stringify(callArguments(t.parameters, i)))
  const visible =
    tools.length > 0 && !plan.truncated
      ? tools.reduce((sum, t, i) => sum + countTextTokens(t.name + argsOf[i]), 0)
      : plan.outputTokens
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
  const reasoning = body.reasoning as { effort?: unknown; summary?: unknown } | undefined
  // A reasoning summary only when asked for (`reasoning.summary`), as OpenAI does.
  const summaryText =
    reasoning?.summary != null && reasoning.summary !== 'none' ? FAKE_THINKING_TEXT : undefined
  const summary = summaryText === undefined ? [] : [{ type: 'summary_text', text: summaryText }]
  const reasoningItem: Record<string, unknown> = { id: fakeId('rs_', id, 48), type: 'reasoning', summary }
  if (include.includes('reasoning.encrypted_content'))
    reasoningItem.encrypted_content = 'gAAAAABfake' + fakeId('', id, 64)
  const status = plan.truncated ? 'incomplete' : 'completed'
  const messageId = fakeId('msg_', id, 48)
  const part = { type: 'output_text', annotations: [], logprobs: [], text: plan.text }
  const message = { id: messageId, type: 'message', status, content: [part], role: 'assistant' }
  const suffix = (i: number) => (i === 0 ? id : `${id}|${i}`)
  const calls = tools.map((tool, i) => ({
    id: fakeId('fc_', suffix(i), 48),
    type: 'function_call',
    status: 'completed',
    arguments: argsOf[i],
    call_id: fakeId('call_', suffix(i), 24),
    name: tool.name,
  }))
  const call = calls.length > 0 && !plan.truncated
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
  const finalOutput = [reasoningItem, ...(call ? calls : [message])]

  if (body.stream !== true) return jsonReply(200, response(status, finalOutput, usageOf(outputTokens)))

  const frames: string[] = []
  const emit = (type: string, payload: Record<string, unknown>) => {
    frames.push(
      `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: frames.length, ...payload })}\n\n`,
    )
  }
  emit('response.created', { response: response('in_progress', [], null) })
  emit('response.in_progress', { response: response('in_progress', [], null) })
  emit('response.output_item.added', { output_index: 0, item: { ...reasoningItem, summary: [] } })
  if (summaryText !== undefined) {
    const at = { item_id: reasoningItem.id, output_index: 0, summary_index: 0 }
    emit('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } })
    for (const delta of splitIntoDeltas(summaryText))
      emit('response.reasoning_summary_text.delta', { ...at, delta })
    emit('response.reasoning_summary_text.done', { ...at, text: summaryText })
    emit('response.reasoning_summary_part.done', { ...at, part: summary[0] })
  }
  emit('response.output_item.done', { output_index: 0, item: reasoningItem })
  if (call) {
    calls.forEach((c, i) => {
      const at = { item_id: c.id, output_index: 1 + i }
      emit('response.output_item.added', {
        output_index: 1 + i,
        item: { ...c, status: 'in_progress', arguments: '' },
      })
      for (const delta of splitArguments(c.arguments))
        emit('response.function_call_arguments.delta', { ...at, delta })
      emit('response.function_call_arguments.done', { ...at, arguments: c.arguments })
      emit('response.output_item.done', { output_index: 1 + i, item: c })
    })
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
