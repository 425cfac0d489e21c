import {
  collectPromptText,
  computePromptUsage,
  countTextTokens,
  FAKE_CREATED,
  FAKE_REASONING_TOKENS,
  fakeAnswerText,
  fakeId,
  type FakePromptUsage,
  planText,
  readMaxTokens,
  splitArguments,
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
import { bodyObject, echoText, type FakeRequest, jsonReply, type Reply, SSE_HEADERS } from './fake-reply.ts'
import { checkChatHistory } from './check-history.ts'
import { providerErrorReply, STREAM_ERROR_FRAMES } from './provider-errors.ts'

const FINGERPRINT = 'fp_fake0a1b2c'
const BAD_FRAME = 'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":"tru\n\n'

export function openAiUsage(
  prompt: FakePromptUsage,
  completion: number,
  reasoning: number,
): Record<string, unknown> {
  return {
    prompt_tokens: prompt.promptTokens,
    completion_tokens: completion,
    total_tokens: prompt.promptTokens + completion,
    prompt_tokens_details: { cached_tokens: prompt.cachedTokens, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}

export function dataFrame(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`
}

interface ToolChoice {
  name: string
  arguments: string
}

type ChatMessage = Record<string, unknown>

/**
 * The function tools the fake "calls": the forced one, else the first (two under a parallel request, see
 * fake-features.ts), unless tools are off or a result came back.
 */
function pickTools(body: Record<string, unknown>, promptText: string): ToolChoice[] {
  type FunctionTool = { type?: unknown; function?: { name?: unknown; parameters?: unknown } }
  const tools = Array.isArray(body.tools) ? (body.tools as FunctionTool[]) : []
  const functions = tools.filter((t) => t?.type === 'function' && typeof t.function?.name === 'string')
  if (functions.length === 0 || body.tool_choice === 'none') return []
  const messages = Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : []
  if (messages.at(-1)?.role === 'tool') return []
  const forcedName = (body.tool_choice as { function?: { name?: unknown } } | undefined)?.function?.name
  const forced = functions.find((t) => t.function?.name === forcedName)
  return pickCalls(functions, forced, wantsParallelCalls(promptText)).map((t, i) => ({
    name: String(t.function?.name),
    arguments: JSON.stringify(callArguments(t.function?.parameters, i)),
  }))
}

/** Tool results (the trailing `tool` messages, named from the assistant's calls), images and response_format. */
export function readChatFeatures(body: Record<string, unknown>): RequestFeatures {
  const messages = Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : []
  const names = new Map<string, string>()
  for (const m of messages)
    for (const c of Array.isArray(m.tool_calls) ? (m.tool_calls as ChatMessage[]) : [])
      names.set(String(c.id), String((c.function as { name?: unknown } | undefined)?.name))
  const toolResults: SeenToolResult[] = []
  for (let i = messages.length - 1; i >= 0 && messages[i].role === 'tool'; i--) {
    const id = String(messages[i].tool_call_id)
    toolResults.unshift({ id, name: names.get(id), content: toolResultText(messages[i].content) })
  }
  const images: SeenImage[] = []
  for (const m of messages)
    for (const part of Array.isArray(m.content) ? (m.content as ChatMessage[]) : [])
      if (part?.type === 'image_url')
        images.push(seenImageUrl(String((part.image_url as { url?: unknown })?.url)))
  const format = body.response_format as { type?: unknown; json_schema?: { schema?: unknown } } | undefined
  const output: SeenOutput | undefined =
    format?.type === 'json_schema'
      ? { kind: 'json_schema', schema: format.json_schema?.schema }
      : format?.type === 'json_object'
        ? { kind: 'json_object' }
        : undefined
  return { toolResults, images, output }
}

function choiceCount(body: Record<string, unknown>): number {
  return typeof body.n === 'number' && Number.isInteger(body.n) ? Math.min(8, Math.max(1, body.n)) : 1
}

/** `POST /v1/chat/completions`, plain and streamed. */
export function handleChatCompletions(req: FakeRequest): Reply {
  const body = bodyObject(req)
  const historyError = checkChatHistory(body)
  if (historyError) return providerErrorReply('openai', 400, { message: historyError })
  const model = typeof body.model === 'string' ? body.model : 'gpt-4o'
  const promptText = collectPromptText({ messages: body.messages }).join('\n')
  const prompt = computePromptUsage(promptText)
  const id = fakeId('chatcmpl-', `${model}|${promptText}`)
  const n = choiceCount(body)
  const calls = pickTools(body, promptText)
  const tool = calls.length > 0
  const plan = planText(
    echoText(req) ?? answerText(model, readChatFeatures(body)),
    FAKE_REASONING_TOKENS,
    readMaxTokens(body.max_completion_tokens, body.max_tokens),
  )
  const callIds = calls.map((_, i) => (i === 0 ? fakeId('call_', id, 24) : fakeId('call_', `${id}|${i}`, 24)))
  const toolCalls = calls.map((fn, i) => ({ id: callIds[i], type: 'function', function: fn }))
  const perChoice =
    (tool ? calls.reduce((sum, c) => sum + countTextTokens(c.name + c.arguments), 0) : plan.outputTokens) +
    plan.reasoningTokens
  const finishReason = tool ? 'tool_calls' : plan.truncated ? 'length' : 'stop'
  const usage = openAiUsage(prompt, perChoice * n, plan.reasoningTokens * n)
  const noUsage = req.scenario?.name === 'no-usage'

  if (body.stream !== true) {
    const choices = Array.from({ length: n }, (_, index) => ({
      index,
      message: {
        role: 'assistant',
        content: tool ? null : plan.text,
        ...(tool ? { tool_calls: toolCalls } : {}),
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: finishReason,
    }))
    const answer: Record<string, unknown> = {
      id,
      object: 'chat.completion',
      created: FAKE_CREATED,
      model,
      choices,
    }
    if (!noUsage) answer.usage = usage
    answer.service_tier = 'default'
    answer.system_fingerprint = FINGERPRINT
    return jsonReply(200, answer, { 'x-request-id': fakeId('req_', id, 16) })
  }

  const streamOptions = body.stream_options as { include_usage?: unknown } | undefined
  const includeUsage = streamOptions?.include_usage === true
  const mode = req.scenario?.name
  const frames: string[] = []
  let running = 0
  const chunk = (choices: unknown[], final?: boolean): void => {
    const c: Record<string, unknown> = {
      id,
      object: 'chat.completion.chunk',
      created: FAKE_CREATED,
      model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices,
    }
    if (mode === 'usage-every-chunk')
      c.usage = openAiUsage(prompt, running, Math.min(running, plan.reasoningTokens * n))
    else if (mode === 'usage-on-content-chunk' && final) c.usage = usage
    else if (includeUsage && !noUsage) c.usage = null
    frames.push(dataFrame(c))
  }
  for (let index = 0; index < n; index++) {
    const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
      index,
      delta,
      logprobs: null,
      finish_reason: finish,
    })
    running += plan.reasoningTokens
    if (tool) {
      // Each call: its id and name first, then its arguments in fragments (calls one after the other).
      calls.forEach((call, callIndex) => {
        const first = {
          index: callIndex,
          id: callIds[callIndex],
          type: 'function',
          function: { name: call.name, arguments: '' },
        }
        const opening = callIndex === 0 ? { role: 'assistant', content: null, refusal: null } : {}
        chunk([choice({ ...opening, tool_calls: [first] })])
        for (const fragment of splitArguments(call.arguments)) {
          running += 1
          chunk([choice({ tool_calls: [{ index: callIndex, function: { arguments: fragment } }] })])
        }
      })
      running = perChoice * (index + 1)
    } else {
      chunk([choice({ role: 'assistant', content: '', refusal: null })])
      for (const delta of plan.deltas) {
        running += 1
        chunk([choice({ content: delta })])
      }
    }
    chunk([choice({}, finishReason)], index === n - 1)
  }
  if (includeUsage && !noUsage && mode !== 'usage-on-content-chunk' && mode !== 'usage-every-chunk') {
    frames.push(
      dataFrame({
        id,
        object: 'chat.completion.chunk',
        created: FAKE_CREATED,
        model,
        service_tier: 'default',
        system_fingerprint: FINGERPRINT,
        choices: [],
        usage,
      }),
    )
  }
  frames.push('data: [DONE]\n\n')
  return {
    kind: 'stream',
    headers: { ...SSE_HEADERS, 'x-request-id': fakeId('req_', id, 16) },
    frames,
    errorFrame: STREAM_ERROR_FRAMES.openai,
    badFrame: BAD_FRAME,
  }
}

/** `POST /v1/completions` (legacy text completions), plain and streamed. */
export function handleCompletions(req: FakeRequest): Reply {
  const body = bodyObject(req)
  const model = typeof body.model === 'string' ? body.model : 'gpt-3.5-turbo-instruct'
  const promptText = collectPromptText({ prompt: body.prompt }).join('\n')
  const prompt = computePromptUsage(promptText)
  const id = fakeId('cmpl-', `${model}|${promptText}`)
  const plan = planText(echoText(req) ?? fakeAnswerText(model), 0, readMaxTokens(body.max_tokens))
  const finishReason = plan.truncated ? 'length' : 'stop'
  const usage = {
    prompt_tokens: prompt.promptTokens,
    completion_tokens: plan.outputTokens,
    total_tokens: prompt.promptTokens + plan.outputTokens,
  }
  const noUsage = req.scenario?.name === 'no-usage'
  if (body.stream !== true) {
    const answer: Record<string, unknown> = {
      id,
      object: 'text_completion',
      created: FAKE_CREATED,
      model,
      choices: [{ text: plan.text, index: 0, logprobs: null, finish_reason: finishReason }],
    }
    if (!noUsage) answer.usage = usage
    return jsonReply(200, answer)
  }
  const includeUsage =
    (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    dataFrame({ id, object: 'text_completion', created: FAKE_CREATED, choices, model, ...extra })
  const nullUsage = includeUsage && !noUsage ? { usage: null } : {}
  const frames = plan.deltas.map((text) =>
    frame([{ text, index: 0, logprobs: null, finish_reason: null }], nullUsage),
  )
  frames.push(frame([{ text: '', index: 0, logprobs: null, finish_reason: finishReason }], nullUsage))
  if (includeUsage && !noUsage) frames.push(frame([], { usage }))
  frames.push('data: [DONE]\n\n')
  return {
    kind: 'stream',
    headers: SSE_HEADERS,
    frames,
    errorFrame: STREAM_ERROR_FRAMES.openai,
    badFrame: BAD_FRAME,
  }
}
