import type { ServerResponse } from 'node:http'
import { formatClientError } from '../protocol/errors/format-client-error.ts'
import type { ProtocolId } from '../protocol/protocol-adapter.ts'
import { scrubJson, scrubText } from './sanitize-upstream-error.ts'

/**
 * The one writer of the gateway's errors to an AI client (docs/architecture.md): an error code of the registry
 * (domain/errors.ts) in the client's protocol's shape (protocol/errors), as JSON with its length. The proxy, the
 * relay, the fast path and Fastify's proxy routes all answer through it. Returns the body sent ('' when the answer
 * had begun: then only the end of the response can still be sent).
 */
export function sendProxyError(
  res: ServerResponse,
  protocol: ProtocolId,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): string {
  if (res.headersSent) {
    if (!res.writableEnded) res.end()
    return ''
  }
  const body = JSON.stringify(formatClientError(protocol, status, code, message))
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  })
  res.end(body)
  return body
}

/** The provider's own error message, scrubbed of keys, URLs, hosts and addresses. */
export function upstreamMessage(text: string, secrets: readonly string[]): string | null {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown }
    const m =
      typeof j.error === 'object' ? j.error?.message : typeof j.error === 'string' ? j.error : j.message
    return typeof m === 'string' ? scrubText(m, secrets).slice(0, 500) : null
  } catch {
    return null
  }
}

/**
 * The client's own mistake (400, 404, 413, 422): the provider's answer, scrubbed, with its real status; an answer
 * that is not JSON becomes the gateway's own error of that status. Returns the body sent, which is also what the
 * audit record keeps.
 */
export function sendUpstreamClientError(
  res: ServerResponse,
  protocol: ProtocolId,
  status: number,
  text: string,
  secrets: readonly string[],
): string {
  let body: string
  try {
    body = JSON.stringify(scrubJson(JSON.parse(text), secrets))
  } catch {
    return sendProxyError(res, protocol, status, 'upstream_error', `The upstream provider answered ${status}`)
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
  return body
}
