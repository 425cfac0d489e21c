import type { IncomingHttpHeaders } from 'node:http'
import type { Scenario } from './scenario.ts'

export type FakeProtocol = 'openai' | 'anthropic' | 'gemini'

/** What a route handler sees of a request. */
export interface FakeRequest {
  method: string
  /** Path without the query string. */
  path: string
  /** Path with the query string, as received. */
  url: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** Parsed JSON body, or undefined (no body, not JSON, multipart). */
  body: unknown
  rawBody: Buffer
  scenario: Scenario | undefined
  /** `http://127.0.0.1:PORT` of this fake upstream. */
  baseUrl: string
}

/** A complete answer with a body. */
export interface BodyReply {
  kind: 'body'
  status: number
  headers: Record<string, string>
  body: string | Buffer
}

/** A streamed answer: pre-encoded frames (one SSE event each), written one by one. */
export interface StreamReply {
  kind: 'stream'
  headers: Record<string, string>
  frames: string[]
  /** The frame that replaces the second half of the stream under `error-mid-stream`. */
  errorFrame: string
  /** A frame whose payload is not JSON, inserted under `bad-json`. */
  badFrame: string
}

export type Reply = BodyReply | StreamReply

/** Index of the first frame not sent when a stream is cut in the middle (always at least one frame is sent). */
export function midpoint(frameCount: number): number {
  return Math.max(1, Math.floor(frameCount / 2))
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): BodyReply {
  return {
    kind: 'body',
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  }
}

/** The body as an object (empty when it is not one), for handlers that read optional fields. */
export function bodyObject(req: FakeRequest): Record<string, unknown> {
  const b = req.body
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Record<string, unknown>) : {}
}

/** Under `echo-headers`, what the fake received, as JSON text; otherwise undefined. */
export function echoText(req: FakeRequest): string | undefined {
  if (req.scenario?.name !== 'echo-headers') return undefined
  return JSON.stringify({ method: req.method, url: req.url, headers: req.headers })
}

export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
}
