import type { DialectCodec } from './dialect-codec.ts'
import type { Dialect } from './internal-model.ts'
import { openaiChatCodec } from '../openai/chat-codec.ts'
import { openaiResponsesCodec } from '../openai/responses-codec.ts'
import { anthropicMessagesCodec } from '../anthropic/messages-codec.ts'
import { geminiGenerateCodec } from '../gemini/generate-codec.ts'

/**
 * The registry of dialect codecs (docs/translation.md): a translation from dialect A to dialect B exists when both
 * have their codec here. Routing only offers a client the channels of protocols it can be translated to.
 */
export const CODECS: Readonly<Partial<Record<Dialect, DialectCodec>>> = {
  'openai-chat': openaiChatCodec,
  'openai-responses': openaiResponsesCodec,
  'anthropic-messages': anthropicMessagesCodec,
  'gemini-generate': geminiGenerateCodec,
}

/** The codec of a dialect, or undefined when that dialect cannot be translated (yet). */
export function codecOf(dialect: Dialect): DialectCodec | undefined {
  return CODECS[dialect]
}
