import type { DialectCodec } from '../translate/dialect-codec.ts'
import { decodeChatRequest } from './chat-decode-request.ts'
import { decodeChatResponse } from './chat-decode-response.ts'
import { createChatStreamDecoder } from './chat-decode-stream.ts'
import { encodeChatRequest } from './chat-encode-request.ts'
import { encodeChatResponse } from './chat-encode-response.ts'
import { createChatStreamEncoder } from './chat-encode-stream.ts'
import { decodeChatError, encodeChatError, encodeChatStreamError } from './chat-errors.ts'

/**
 * OpenAI Chat Completions (`POST /v1/chat/completions`) as a translation dialect (docs/translation.md). Policies of
 * this codec, beyond the translation map:
 * - Dropped on purpose when decoding: `store`, `metadata`, `service_tier`, `prompt_cache_retention`,
 *   `stream_options.include_obfuscation`, and the defaults of OpenAI-only options (`logprobs:false`,
 *   `modalities:["text"]`, empty `logit_bias`, `verbosity:"medium"`). Any other unknown field is refused.
 * - A system or developer message after the first non-system message is refused (`messages[i]`): IRequest keeps
 *   instructions before the conversation, and Anthropic and Gemini have no place for one later.
 * - Refused: audio output, predictions, web search options, the deprecated `functions` / `function_call` and
 *   `role:"function"`, message `name`s, custom tools, `allowed_tools` choices, log probabilities, token biases.
 * - Encoding a request: thinking is not sent back (chat has no field for it); Anthropic's `is_error` on a tool
 *   result has no chat flag and is dropped (the result's text stays); `user` longer than 64 characters is not sent.
 * - Answers: reasoning reaches a chat client as `reasoning_content` only when it came from an OpenAI-family upstream;
 *   Anthropic's and Gemini's thinking is dropped.
 */
export const openaiChatCodec: DialectCodec = {
  dialect: 'openai-chat',
  decodeRequest: decodeChatRequest,
  encodeRequest: encodeChatRequest,
  decodeResponse: decodeChatResponse,
  encodeResponse: encodeChatResponse,
  createStreamDecoder: createChatStreamDecoder,
  createStreamEncoder: createChatStreamEncoder,
  decodeError: decodeChatError,
  encodeError: encodeChatError,
  encodeStreamError: encodeChatStreamError,
}
