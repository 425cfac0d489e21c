import type { DialectCodec } from '../translate/dialect-codec.ts'
import { decodeResponsesRequest } from './responses-decode-request.ts'
import { decodeResponsesResponse } from './responses-decode-response.ts'
import { createResponsesStreamDecoder } from './responses-decode-stream.ts'
import { encodeResponsesRequest } from './responses-encode-request.ts'
import { encodeResponsesResponse } from './responses-encode-response.ts'
import { createResponsesStreamEncoder } from './responses-encode-stream.ts'
import { decodeResponsesError, encodeResponsesError, encodeResponsesStreamError } from './responses-errors.ts'

/** OpenAI Responses (`POST /v1/responses`) in and out of the internal model (docs/translation.md). */
export const openaiResponsesCodec: DialectCodec = {
  dialect: 'openai-responses',
  decodeRequest: decodeResponsesRequest,
  encodeRequest: encodeResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  encodeResponse: encodeResponsesResponse,
  createStreamDecoder: createResponsesStreamDecoder,
  createStreamEncoder: createResponsesStreamEncoder,
  decodeError: decodeResponsesError,
  encodeError: encodeResponsesError,
  encodeStreamError: encodeResponsesStreamError,
}
