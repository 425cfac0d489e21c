import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { convertGeminiUsage } from './extract-gemini-usage.ts'
import {
  appendAnswerText,
  countOutputChars,
  countOutputJson,
  mergeLastValues,
  parseEventJson,
  recordStreamError,
  type StreamUsageState,
} from '../usage/stream-usage-state.ts'
import { asRecord } from '../usage/usage.ts'

function readCandidate(state: StreamUsageState, raw: unknown, position: number, eventChars: number): void {
  const candidate = asRecord(raw)
  if (!candidate) return
  const index = typeof candidate.index === 'number' ? candidate.index : position
  const parts = asRecord(candidate.content)?.parts
  if (Array.isArray(parts)) {
    for (const item of parts) {
      const part = asRecord(item)
      if (!part) continue
      if (typeof part.text === 'string') {
        if (part.thought === true) countOutputChars(state, part.text)
        else appendAnswerText(state, index, part.text)
      }
      const call = asRecord(part.functionCall)
      if (call) {
        countOutputChars(state, call.name)
        countOutputJson(state, call.args, eventChars)
      }
    }
  }
  if (typeof candidate.finishReason === 'string') {
    state.finishReason = candidate.finishReason
    state.completed = true
  }
}

/**
 * One event of a Gemini `streamGenerateContent?alt=sse` stream. Each chunk's `usageMetadata` is a running
 * total: the last value of each field wins, chunks are never summed. There is no `[DONE]`; a
 * `finishReason` (or a prompt block) marks the end.
 */
export function readGeminiStreamEvent(state: StreamUsageState, ev: SseEvent): void {
  const json = parseEventJson(ev.data)
  if (!json) return
  if (json.error !== undefined && json.error !== null) {
    recordStreamError(state, asRecord(json.error)?.message)
    return
  }
  const metadata = asRecord(json.usageMetadata)
  if (metadata) {
    mergeLastValues(state.rawUsage, metadata)
    // The running total as now known; unreported when it has become implausible, so the request is estimated.
    state.usage = convertGeminiUsage(state.rawUsage)
  }
  const candidates = json.candidates
  if (Array.isArray(candidates)) {
    for (let i = 0; i < candidates.length; i++) readCandidate(state, candidates[i], i, ev.data.length)
  }
  const blockReason = asRecord(json.promptFeedback)?.blockReason
  if (typeof blockReason === 'string') {
    state.finishReason = blockReason
    state.completed = true
  }
}
