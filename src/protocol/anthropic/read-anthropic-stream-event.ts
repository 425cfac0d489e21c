import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { convertAnthropicUsage } from './extract-anthropic-usage.ts'
import {
  appendAnswerText,
  countOutputChars,
  mergeLastValues,
  parseEventJson,
  recordStreamError,
  type StreamUsageState,
} from '../usage/stream-usage-state.ts'
import { asRecord } from '../usage/usage.ts'

function mergeUsage(state: StreamUsageState, raw: unknown): void {
  const usage = asRecord(raw)
  if (!usage) return
  mergeLastValues(state.rawUsage, usage)
  // The running total as now known; unreported when it has become implausible, so the request is estimated.
  state.usage = convertAnthropicUsage(state.rawUsage)
}

/**
 * One event of an Anthropic Messages stream. Usage comes from `message_start` and then `message_delta`,
 * whose counts are cumulative (and repeat input and cache counts): the last value of each field wins and
 * `message_delta` usage is never added to `message_start` usage.
 */
export function readAnthropicStreamEvent(state: StreamUsageState, ev: SseEvent): void {
  const json = parseEventJson(ev.data)
  if (!json) return
  const type = typeof json.type === 'string' ? json.type : (ev.event ?? '')
  switch (type) {
    case 'message_start':
      mergeUsage(state, asRecord(json.message)?.usage)
      break
    case 'content_block_start': {
      const block = asRecord(json.content_block)
      if (!block) break
      if (block.type === 'text' && typeof block.text === 'string') appendAnswerText(state, 0, block.text)
      else countOutputChars(state, block.name)
      break
    }
    case 'content_block_delta': {
      const delta = asRecord(json.delta)
      if (!delta) break
      if (delta.type === 'text_delta' && typeof delta.text === 'string')
        appendAnswerText(state, 0, delta.text)
      else if (delta.type === 'input_json_delta') countOutputChars(state, delta.partial_json)
      else if (delta.type === 'thinking_delta') countOutputChars(state, delta.thinking)
      break
    }
    case 'message_delta': {
      const stop = asRecord(json.delta)?.stop_reason
      if (typeof stop === 'string') state.finishReason = stop
      mergeUsage(state, json.usage)
      break
    }
    case 'message_stop':
      state.completed = true
      break
    case 'error':
      recordStreamError(state, asRecord(json.error)?.message)
      break
    default:
      break
  }
}
