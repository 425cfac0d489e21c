import type { DialectCodec } from '../translate/dialect-codec.ts'
import { decodeGeminiRequest } from './generate-decode-request.ts'
import { decodeGeminiResponse } from './generate-decode-response.ts'
import { createGeminiStreamDecoder } from './generate-decode-stream.ts'
import { encodeGeminiRequest } from './generate-encode-request.ts'
import { encodeGeminiResponse } from './generate-encode-response.ts'
import { createGeminiStreamEncoder } from './generate-encode-stream.ts'
import { decodeGeminiError, encodeGeminiError, encodeGeminiStreamError } from './generate-errors.ts'

/**
 * Gemini generateContent / streamGenerateContent (v1beta, `alt=sse`) in and out of the internal model
 * (docs/translation.md › Gemini). The model is named in the path: decodeRequest leaves IRequest.model '' and
 * stream false for the engine to fill, and encodeRequest puts neither in the body.
 */
export const geminiGenerateCodec: DialectCodec = {
  dialect: 'gemini-generate',
  decodeRequest: decodeGeminiRequest,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  encodeResponse: encodeGeminiResponse,
  createStreamDecoder: createGeminiStreamDecoder,
  createStreamEncoder: createGeminiStreamEncoder,
  decodeError: decodeGeminiError,
  encodeError: encodeGeminiError,
  encodeStreamError: encodeGeminiStreamError,
}
