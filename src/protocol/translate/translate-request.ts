import type { DialectCodec, RequestEncodeContext } from './dialect-codec.ts'
import type { IRequest, Json, JsonObject } from './internal-model.ts'

/**
 * The client's body in the internal model. Whether the answer streams is the proxy's reading of the request
 * (Gemini says it in the path, not the body), so it overrides the decoder's.
 */
export function decodeClientRequest(client: DialectCodec, json: JsonObject, stream: boolean): IRequest {
  const req = client.decodeRequest(json)
  return req.stream === stream ? req : { ...req, stream }
}

/**
 * The body for the channel's dialect. A streamed Chat Completions upstream is asked for its usage chunk
 * (`stream_options.include_usage`), so the stream is billed from what the provider reports.
 */
export function encodeUpstreamRequest(
  upstream: DialectCodec,
  req: IRequest,
  ctx: RequestEncodeContext,
): JsonObject {
  const body = upstream.encodeRequest(req, ctx)
  if (req.stream && upstream.dialect === 'openai-chat') {
    const options = body.stream_options
    const base: JsonObject = isObject(options) ? options : {}
    body.stream_options = { ...base, include_usage: true }
  }
  return body
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
