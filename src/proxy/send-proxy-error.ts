import type { ServerResponse } from 'node:http'
import { formatClientError } from '../protocol/errors/format-client-error.ts'
import type { Provider } from '../domain/routing/select-channels.ts'
import { scrubJson, scrubText } from './sanitize-upstream-error.ts'

/** Sends the gateway's error in the client's protocol; returns the body sent ('' when the answer had begun). */
export function sendProxyError(
  res: ServerResponse,
  protocol: Provider,
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
 * The client's own mistake (400, 404, 413, 422): the provider's answer, scrubbed, with its real status. Returns the
 * body sent, which is also what the audit record keeps.
 */
export function sendUpstreamClientError(
  res: ServerResponse,
  protocol: Provider,
  status: number,
  text: string,
  secrets: readonly string[],
): string {
  let body: string
  try {
    body = JSON.stringify(scrubJson(JSON.parse(text), secrets))
  } catch {
    body = JSON.stringify(
      formatClientError(protocol, status, 'upstream_error', `The upstream provider answered ${status}`),
    )
  }
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
  return body
}
