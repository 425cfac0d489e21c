import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { convertOpenAiResponsesUsage } from './extract-openai-responses-usage.ts'
import { convertOpenAiUsage } from './extract-openai-usage.ts'
import {
  appendAnswerText,
  countOutputChars,
  parseEventJson,
  recordStreamError,
  type StreamUsageState,
} from '../usage/stream-usage-state.ts'
import { asRecord } from '../usage/usage.ts'

function readErrorMessage(error: unknown): unknown {
  const e = asRecord(error)
  return e ? e.message : error
}

const CONTENT_OPEN = '"choices":[{"index":0,"delta":{"content":"'
const CONTENT_CLOSE = '"},"finish_reason":null}]'
const CONTENT_CLOSE_LOGPROBS = '"},"logprobs":null,"finish_reason":null}]'
const OPEN_BRACE = 123
const CLOSE_BRACE = 125
const BACKSLASH = 92

/**
 * The answer text of a chunk of the usual shape, read without a JSON parse (most of a stream's metering cost):
 * `{…,"choices":[{"index":0,"delta":{"content":"…"},["logprobs":null,]"finish_reason":null}]…}`, one choice whose
 * delta is only a text without escapes, and nothing else the reader uses — no `error`, no second `choices`, a
 * `usage` only as null. Outside string values a quote is always a key's or a value's own (inside them it is
 * escaped), so the key names found are keys. undefined: the chunk is read in full.
 */
export function plainContentDelta(data: string): string | undefined {
  if (data.charCodeAt(0) !== OPEN_BRACE || data.charCodeAt(data.length - 1) !== CLOSE_BRACE) return undefined
  const open = data.indexOf(CONTENT_OPEN)
  if (open < 0) return undefined
  const start = open + CONTENT_OPEN.length
  const end = data.indexOf('"', start)
  if (end < 0) return undefined
  for (let i = start; i < end; i++) {
    const c = data.charCodeAt(i)
    // An escape (or a raw control character, which JSON refuses): the parser decides what the text is.
    if (c < 0x20 || c === BACKSLASH) return undefined
  }
  let close = end + CONTENT_CLOSE.length
  if (!data.startsWith(CONTENT_CLOSE, end)) {
    if (!data.startsWith(CONTENT_CLOSE_LOGPROBS, end)) return undefined
    close = end + CONTENT_CLOSE_LOGPROBS.length
  }
  return quietKeys(data, 0, open) && quietKeys(data, close, data.length) ? data.slice(start, end) : undefined
}

const LETTER_C = 99
const LETTER_E = 101
const LETTER_U = 117

/** No `error` or `choices` key between `from` and `to`, and a `usage` key only as null. */
function quietKeys(data: string, from: number, to: number): boolean {
  for (let q = data.indexOf('"', from); q >= 0 && q < to; q = data.indexOf('"', q + 1)) {
    const c = data.charCodeAt(q + 1)
    if (c === LETTER_E && data.startsWith('error"', q + 1)) return false
    if (c === LETTER_C && data.startsWith('choices"', q + 1)) return false
    if (c === LETTER_U && data.startsWith('usage"', q + 1) && !data.startsWith('usage":null', q + 1))
      return false
  }
  return true
}

/**
 * One event of an OpenAI Chat Completions (`chat.completion.chunk`) or legacy Completions stream.
 * Usage: the last non-null `usage` seen wins, whether it came on the extra `choices: []` chunk (OpenAI with
 * `include_usage`) or on content chunks (vLLM, DeepSeek, Ollama…).
 */
export function readOpenAiChatStreamEvent(state: StreamUsageState, ev: SseEvent): void {
  const data = ev.data
  if (data === '[DONE]') {
    state.completed = true
    return
  }
  if (ev.event === undefined) {
    const text = plainContentDelta(data)
    if (text !== undefined) {
      appendAnswerText(state, 0, text)
      return
    }
  }
  const json = parseEventJson(data)
  if (!json) return
  if (json.error !== undefined && json.error !== null) {
    recordStreamError(state, readErrorMessage(json.error))
    return
  }
  if (ev.event === 'error') {
    recordStreamError(state, json.message)
    return
  }
  if (json.usage !== undefined && json.usage !== null) {
    const usage = convertOpenAiUsage(json.usage)
    if (usage.reported) state.usage = usage
  }
  const choices = json.choices
  if (!Array.isArray(choices)) return
  for (const item of choices) {
    const choice = asRecord(item)
    if (!choice) continue
    const index = typeof choice.index === 'number' ? choice.index : 0
    if (typeof choice.text === 'string') appendAnswerText(state, index, choice.text)
    const delta = asRecord(choice.delta)
    if (delta) {
      if (typeof delta.content === 'string') appendAnswerText(state, index, delta.content)
      if (typeof delta.refusal === 'string') appendAnswerText(state, index, delta.refusal)
      countOutputChars(state, delta.reasoning_content)
      countOutputChars(state, delta.reasoning)
      if (Array.isArray(delta.tool_calls)) {
        for (const call of delta.tool_calls) {
          const fn = asRecord(asRecord(call)?.function)
          if (!fn) continue
          countOutputChars(state, fn.name)
          countOutputChars(state, fn.arguments)
        }
      }
    }
    if (typeof choice.finish_reason === 'string') state.finishReason = choice.finish_reason
  }
}

const RESPONSES_EVENTS_READ = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
  'response.completed',
  'response.incomplete',
  'response.failed',
  'error',
])

/**
 * One event of an OpenAI Responses stream. Usage is on the terminal `response.completed`,
 * `response.incomplete` or `response.failed` event; all three are billed.
 */
export function readOpenAiResponsesStreamEvent(state: StreamUsageState, ev: SseEvent): void {
  // Most events (created, in_progress, *.added, *.done) repeat data already seen: skip their JSON parse.
  if (ev.event !== undefined && !RESPONSES_EVENTS_READ.has(ev.event)) return
  const json = parseEventJson(ev.data)
  if (!json) return
  const type = typeof json.type === 'string' ? json.type : (ev.event ?? '')
  switch (type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      if (typeof json.delta === 'string') appendAnswerText(state, 0, json.delta)
      break
    case 'response.function_call_arguments.delta':
    case 'response.custom_tool_call_input.delta':
    case 'response.reasoning_text.delta':
    case 'response.reasoning_summary_text.delta':
      countOutputChars(state, json.delta)
      break
    case 'response.completed':
    case 'response.incomplete':
    case 'response.failed': {
      const response = asRecord(json.response)
      const usage = convertOpenAiResponsesUsage(response?.usage)
      if (usage.reported) state.usage = usage
      state.completed = true
      if (type === 'response.completed') state.finishReason = 'completed'
      else if (type === 'response.incomplete') {
        const reason = asRecord(response?.incomplete_details)?.reason
        state.finishReason = typeof reason === 'string' ? reason : 'incomplete'
      } else {
        state.finishReason = 'failed'
        recordStreamError(state, readErrorMessage(response?.error))
      }
      break
    }
    case 'error':
      recordStreamError(state, json.message ?? readErrorMessage(json.error))
      break
    default:
      break
  }
}
