import type { DialectCodec } from '../translate/dialect-codec.ts'
import { decodeAnthropicRequest } from './messages-decode-request.ts'
import { decodeAnthropicResponse } from './messages-decode-response.ts'
import { createAnthropicStreamDecoder } from './messages-decode-stream.ts'
import { encodeAnthropicRequest } from './messages-encode-request.ts'
import { encodeAnthropicResponse } from './messages-encode-response.ts'
import { createAnthropicStreamEncoder } from './messages-encode-stream.ts'
import { decodeAnthropicError, encodeAnthropicError, encodeAnthropicStreamError } from './messages-errors.ts'

/**
 * The Anthropic Messages dialect of the translator (`POST /v1/messages`): requests, plain answers, streams and
 * errors to and from the internal model. Each piece documents what it drops on purpose and which policies it
 * applies (messages-decode-request.ts, messages-encode-request.ts, messages-encode-stream.ts).
 */
export const anthropicMessagesCodec: DialectCodec = {
  dialect: 'anthropic-messages',
  decodeRequest: decodeAnthropicRequest,
  encodeRequest: encodeAnthropicRequest,
  decodeResponse: decodeAnthropicResponse,
  encodeResponse: encodeAnthropicResponse,
  createStreamDecoder: createAnthropicStreamDecoder,
  createStreamEncoder: createAnthropicStreamEncoder,
  decodeError: decodeAnthropicError,
  encodeError: encodeAnthropicError,
  encodeStreamError: encodeAnthropicStreamError,
}
