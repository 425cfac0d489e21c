/** Helpers shared by the SDK tests of the fake upstream. */
import { createSseParser } from '../../src/protocol/sse/parse-sse-stream.ts'
import {
  createStreamUsageTracker,
  type StreamKind,
  type StreamUsageResult,
} from '../../src/protocol/usage/track-stream-usage.ts'

export const weatherParameters = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer' } },
  required: ['city'],
}

/** Posts JSON to `baseUrl + path` and runs the raw stream through the gateway's SSE parser and usage tracker. */
export async function trackStream(
  baseUrl: string,
  kind: StreamKind,
  path: string,
  body: unknown,
): Promise<StreamUsageResult> {
  const res = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const tracker = createStreamUsageTracker(kind)
  const parser = createSseParser((ev) => tracker.push(ev))
  parser.push(new Uint8Array(await res.arrayBuffer()))
  parser.end()
  return tracker.result()
}
