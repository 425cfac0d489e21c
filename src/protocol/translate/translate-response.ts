import type { DialectCodec, ResponseEncodeContext } from './dialect-codec.ts'
import type { JsonObject } from './internal-model.ts'

/** A plain (not streamed) upstream answer in the client's dialect. */
export function translateResponse(
  upstream: DialectCodec,
  client: DialectCodec,
  json: JsonObject,
  ctx: ResponseEncodeContext,
): JsonObject {
  return client.encodeResponse(upstream.decodeResponse(json), ctx)
}
