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
