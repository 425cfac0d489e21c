import type { IFinishReason } from '../translate/internal-model.ts'

const FILTERED = new Set([
  'SAFETY',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'RECITATION',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'LANGUAGE',
])

/**
 * Gemini's `finishReason` as the internal one (translation-map §2.1): STOP with functionCall parts is a tool call
 * (§8 #6), MAX_TOKENS a length stop (§8 #7), MALFORMED_FUNCTION_CALL a model failure — never a content filter
 * (§8 #8); the safety family is a content filter.
 */
export function decodeGeminiFinish(reason: string, sawFunctionCall: boolean): IFinishReason {
  if (reason === 'STOP') return sawFunctionCall ? 'tool_calls' : 'stop'
  if (reason === 'MAX_TOKENS') return 'length'
  if (
    reason === 'MALFORMED_FUNCTION_CALL' ||
    reason === 'UNEXPECTED_TOOL_CALL' ||
    reason === 'TOO_MANY_TOOL_CALLS'
  )
    return 'error'
  if (FILTERED.has(reason)) return 'content_filter'
  return 'other'
}

/** The internal finish reason as Gemini's; a model failure is MALFORMED_FUNCTION_CALL, Gemini's nearest. */
export function encodeGeminiFinish(reason: IFinishReason): string {
  switch (reason) {
    case 'stop':
    case 'stop_sequence':
    case 'tool_calls':
      return 'STOP'
    case 'length':
      return 'MAX_TOKENS'
    case 'content_filter':
    case 'refusal':
      return 'SAFETY'
    case 'error':
      return 'MALFORMED_FUNCTION_CALL'
    case 'pause':
    case 'other':
      return 'OTHER'
  }
}
