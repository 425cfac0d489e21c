import type { ProtocolId } from '../protocol-adapter.ts'
import { protocols } from '../protocols.ts'
import type { OpenAiErrorBody } from '../openai/format-openai-error.ts'
import type { AnthropicErrorBody } from '../anthropic/format-anthropic-error.ts'
import type { GeminiErrorBody } from '../gemini/format-gemini-error.ts'

export type { OpenAiErrorBody, AnthropicErrorBody, GeminiErrorBody }
export type ClientErrorBody = OpenAiErrorBody | AnthropicErrorBody | GeminiErrorBody

/**
 * The JSON error body of the client's protocol: OpenAI `{error:{message,type,param,code}}`, Anthropic
 * `{type:"error",error:{type,message}}`, Gemini `{error:{code,message,status}}`. `code` is the gateway's
 * stable error code; only OpenAI's shape has a place for it.
 */
export function formatClientError(
  protocol: ProtocolId,
  status: number,
  code: string,
  message: string,
): ClientErrorBody {
  return protocols[protocol].errorBody(status, code, message) as ClientErrorBody
}

/** The terminal SSE event that reports a mid-stream failure in the client's protocol (each folder's framing). */
export function formatClientStreamError(
  protocol: ProtocolId,
  status: number,
  code: string,
  message: string,
): string {
  return protocols[protocol].streamError(status, code, message)
}
