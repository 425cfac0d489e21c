import type { ResponseEncodeContext } from '../translate/dialect-codec.ts'
import type { IPart, IResponse, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { parseToolInput } from './messages-encode-content.ts'
import { encodeStopReason } from './messages-stop-reason.ts'
import { encodeAnthropicUsage } from './messages-usage.ts'

/**
 * The message id the client sees: the upstream's id, else one from the gateway's request id. Anthropic's SDKs
 * do not check the `msg_` prefix, so another provider's id (`chatcmpl-…`) is kept as the upstream gave it.
 */
export function anthropicMessageId(id: string, ctx: ResponseEncodeContext): string {
  return id !== '' ? id : `msg_${ctx.requestId}`
}

/**
 * One answer part as an Anthropic block for the client. Tool ids go back exactly as the upstream minted them
 * (the client returns them unchanged; the request encoder sanitises them if they ever reach Anthropic). Thinking
 * of another provider is shown as an unsigned thinking block (its text is the model's reasoning; the block is
 * dropped again if the history ever goes to Anthropic, which only accepts its own signatures).
 */
function encodeAnswerBlock(part: IPart): JsonObject | undefined {
  switch (part.type) {
    case 'text':
    case 'refusal':
      return part.text === '' ? undefined : { type: 'text', text: part.text }
    case 'tool_call':
      return {
        type: 'tool_use',
        id: part.id,
        name: part.name,
        input: parseToolInput(part.arguments, part.path),
      }
    case 'thinking':
      if (part.redacted !== undefined)
        return part.origin === 'anthropic' ? { type: 'redacted_thinking', data: part.redacted } : undefined
      return {
        type: 'thinking',
        thinking: part.text,
        signature: part.origin === 'anthropic' ? (part.signature ?? '') : '',
      }
    case 'image':
    case 'document':
    case 'audio':
    case 'tool_result':
      throw new TranslationRefusal(
        part.path,
        `${part.path}: a ${part.type} part cannot appear in an Anthropic answer`,
      )
  }
}

/** The internal answer as an Anthropic Messages answer for an Anthropic client. */
export function encodeAnthropicResponse(res: IResponse, ctx: ResponseEncodeContext): JsonObject {
  const content: JsonObject[] = []
  for (const part of res.parts) {
    const block = encodeAnswerBlock(part)
    if (block) content.push(block)
  }
  return {
    id: anthropicMessageId(res.id, ctx),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: encodeStopReason(res.finish),
    stop_sequence: res.stopSequence ?? null,
    usage: encodeAnthropicUsage(res.usage ?? { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }),
  }
}
