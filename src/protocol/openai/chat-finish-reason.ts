import type { IFinishReason, Json } from '../translate/internal-model.ts'

/** Chat Completions `finish_reason` → the internal reason (`function_call` is the deprecated name of tool_calls). */
export function decodeChatFinishReason(raw: Json | undefined): IFinishReason {
  switch (typeof raw === 'string' ? raw : '') {
    case 'stop':
      return 'stop'
    case 'length':
      return 'length'
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls'
    case 'content_filter':
      return 'content_filter'
    default:
      return 'other'
  }
}

/**
 * The internal reason → `finish_reason`. Chat has four: a stop sequence is `stop`; a refusal (Anthropic `refusal`,
 * Gemini `SAFETY`) is `content_filter` (translation map §2.1); a model failure (Gemini MALFORMED_FUNCTION_CALL) and
 * the rest end as `stop`, never `content_filter` (§8 #8).
 */
export function encodeChatFinishReason(reason: IFinishReason): string {
  switch (reason) {
    case 'length':
      return 'length'
    case 'tool_calls':
      return 'tool_calls'
    case 'content_filter':
    case 'refusal':
      return 'content_filter'
    case 'stop':
    case 'stop_sequence':
    case 'pause':
    case 'error':
    case 'other':
      return 'stop'
  }
}
