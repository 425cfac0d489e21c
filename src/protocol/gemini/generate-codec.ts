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
 * stream false for the engine to fill, and encodeRequest puts neither in the body. Policies beyond the map:
 * - Decoding: snake_case field spellings accepted. Dropped on purpose: `model`, and `safetySettings` whose
 *   thresholds only loosen Google's filters (OFF, BLOCK_NONE, BLOCK_ONLY_HIGH); a stricter threshold is refused.
 *   Refused: built-in tools (googleSearch, codeExecution, urlContext…), `cachedContent`, logprobs, non-TEXT
 *   modalities, `text/x.enum`, ANY with several allowed names, function `response` schemas, non-image media
 *   in function responses, and any field not listed. `parameters`/`responseSchema` (OpenAPI subset) become JSON Schema
 *   (`propertyOrdering` dropped). A call without an id gets one from its position; responses pair by id, else by
 *   order within the function's name.
 * - Encoding a request: schemas go as `parametersJsonSchema`/`responseJsonSchema` (JSON Schema as is, no
 *   sanitising). Web URLs of images and documents are refused (a pure codec cannot fetch; data URLs are inlined).
 *   `parallel_tool_calls:false` is refused (Gemini has no switch). Dropped: `user`, `cacheKey`, `strict`, a
 *   schema's name/description, document titles, another provider's thinking. Effort maps to `thinkingLevel` on
 *   Gemini 3 models, else to a budget (EFFORT_TO_THINKING_BUDGET); `includeThoughts` when a summary is asked or
 *   the thinking has a budget or is adaptive (Anthropic clients show thinking blocks), not for an effort alone.
 *   Images inside a tool result follow its functionResponse as inline parts of the same user turn.
 * - Ids: see generate-ids.ts — calls from Gemini carry Gemini's id and thought signature in the id clients see;
 *   only Gemini's own ids are sent back as `id`; unsigned calls from other providers get the documented dummy.
 * - Answers: a signature on a non-thought part is an empty signed thinking part/block; tool-call arguments that
 *   are not a JSON object reach a Gemini client as `{arguments: "<text>"}`; finish `error` is
 *   MALFORMED_FUNCTION_CALL. Streams are CRLF-framed like Gemini's.
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
