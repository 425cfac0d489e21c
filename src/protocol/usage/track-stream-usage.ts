import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { readAnthropicStreamEvent } from '../anthropic/read-anthropic-stream-event.ts'
import { readGeminiStreamEvent } from '../gemini/read-gemini-stream-event.ts'
import {
  readOpenAiChatStreamEvent,
  readOpenAiResponsesStreamEvent,
} from '../openai/read-openai-stream-event.ts'
import { createStreamUsageState, type StreamUsageState } from './stream-usage-state.ts'
import type { Usage } from './usage.ts'

export type StreamKind = 'openai-chat' | 'openai-completions' | 'openai-responses' | 'anthropic' | 'gemini'

export interface StreamUsageResult {
  /** `reported: false` when the stream carried no usage (estimate from `outputChars`). */
  usage: Usage
  /** The reassembled answer text (choices/candidates joined with `\n`), bounded by `maxTextChars`. */
  text: string
  textTruncated: boolean
  /** UTF-16 length of all generated output seen: answer text, reasoning, tool names and arguments. */
  outputChars: number
  /** The provider's own finish/stop reason (`stop`, `end_turn`, `STOP`, `completed`, `max_output_tokens`…). */
  finishReason: string | null
  /** An error event (or a `response.failed`) was seen. */
  sawError: boolean
  errorMessage: string | null
  /** The protocol's terminal marker was seen: `[DONE]`, `message_stop`, `response.completed|incomplete|failed`, a Gemini `finishReason`. */
  completed: boolean
}

export interface StreamUsageTracker {
  /** Feeds one parsed SSE event. Never throws on malformed payloads. */
  push(ev: SseEvent): void
  result(): StreamUsageResult
}

export interface StreamUsageTrackerOptions {
  /** Upper bound of the kept answer text (default 1 MiB of UTF-16 units); counting continues past it. */
  maxTextChars?: number
}

const READERS: Record<StreamKind, (state: StreamUsageState, ev: SseEvent) => void> = {
  'openai-chat': readOpenAiChatStreamEvent,
  'openai-completions': readOpenAiChatStreamEvent,
  'openai-responses': readOpenAiResponsesStreamEvent,
  anthropic: readAnthropicStreamEvent,
  gemini: readGeminiStreamEvent,
}

/** Tracks usage, answer text and outcome of one streamed answer of the given protocol. */
export function createStreamUsageTracker(
  kind: StreamKind,
  options: StreamUsageTrackerOptions = {},
): StreamUsageTracker {
  const state = createStreamUsageState(options.maxTextChars ?? 1_048_576)
  const read = READERS[kind]
  return {
    push(ev: SseEvent): void {
      read(state, ev)
    },
    result(): StreamUsageResult {
      return {
        usage: { ...state.usage },
        text: state.texts.length === 1 ? state.texts[0] : state.texts.filter((t) => t.length > 0).join('\n'),
        textTruncated: state.textTruncated,
        outputChars: state.outputChars,
        finishReason: state.finishReason,
        sawError: state.sawError,
        errorMessage: state.errorMessage,
        completed: state.completed,
      }
    },
  }
}
