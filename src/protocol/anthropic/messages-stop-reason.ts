import type { IFinishReason } from '../translate/internal-model.ts'

/** Anthropic `stop_reason` ↔ the internal finish reason (translation-map §2.1). */

const DECODE: Readonly<Record<string, IFinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop_sequence',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'refusal',
  pause_turn: 'pause',
}

const ENCODE: Readonly<Record<IFinishReason, string>> = {
  stop: 'end_turn',
  stop_sequence: 'stop_sequence',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
  refusal: 'refusal',
  pause: 'pause_turn',
  // A malformed call (Gemini MALFORMED_FUNCTION_CALL) is a model failure, never a safety block (§8 #8): the turn
  // ends with what was produced and no tool call.
  error: 'end_turn',
  other: 'end_turn',
}

export function decodeStopReason(reason: string | null | undefined): IFinishReason {
  return (reason && DECODE[reason]) || 'other'
}

export function encodeStopReason(reason: IFinishReason): string {
  return ENCODE[reason]
}
