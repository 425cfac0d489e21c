import type { IncomingHttpHeaders } from 'node:http'
import { protocols } from '../protocol/protocols.ts'
import type { ChannelRuntime } from './routing-snapshot.ts'
import type { Surface } from '../protocol/surface.ts'

/**
 * Headers never forwarded: client credentials (the channel's key replaces them), hop-by-hop headers, cookies,
 * proxy headers, and `accept-encoding` (the gateway asks for encodings it can decode to meter usage, and
 * encodes for the client itself).
 */
const DROP = new Set([
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'x-admin-key',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'accept-encoding',
  'expect',
  'forwarded',
  'via',
  'origin',
  'referer',
])

/**
 * Client headers that only the operator may set (through a channel's extra headers): which of the operator's
 * OpenAI organisations or projects pays is not the client's choice; and the client's address as seen by the CDNs
 * and proxies in front of the gateway is the gateway's business, not the provider's.
 */
const CLIENT_ONLY_DROP = new Set([
  'openai-organization',
  'openai-project',
  'x-real-ip',
  'x-client-ip',
  'client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'cf-connecting-ipv6',
  'cf-pseudo-ipv4',
  'x-cluster-client-ip',
  'fastly-client-ip',
  'akamai-client-ip',
  'x-original-forwarded-for',
  'x-envoy-external-address',
  'x-appengine-user-ip',
])

/** The headers a client's `Connection` header names: hop-by-hop by its own declaration (RFC 9110 §7.6.1). */
function connectionNamed(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null
  const named = new Set<string>()
  for (const part of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const name = part.trim().toLowerCase()
    if (name) named.add(name)
  }
  return named.size > 0 ? named : null
}

export function buildUpstreamHeaders(
  client: IncomingHttpHeaders,
  channel: ChannelRuntime,
  bodyLength: number,
): Record<string, string> {
  const out: Record<string, string> = {}
  const hopByHop = connectionNamed(client.connection)
  for (const [name, value] of Object.entries(client)) {
    if (
      value === undefined ||
      DROP.has(name) ||
      CLIENT_ONLY_DROP.has(name) ||
      name.startsWith('x-forwarded-') ||
      name.startsWith('proxy-') ||
      hopByHop?.has(name)
    )
      continue
    out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  const upstream = protocols[channel.provider]
  const auth = upstream.authHeaders(channel.apiKey)
  // A client's version header wins over the protocol's default; its credentials never do.
  for (const name of upstream.clientOverridable) if (out[name]) delete auth[name]
  Object.assign(out, auth, lowerKeys(channel.extraHeaders))
  out['accept-encoding'] = 'gzip, br'
  out['content-length'] = String(bodyLength)
  return out
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase()
    if (!DROP.has(name) || name === 'authorization' || name === 'x-api-key') out[name] = v
  }
  return out
}

/** Query parameters a client may pass through; everything else (notably `key=`) is dropped. */
const PASS_QUERY = new Set(['beta', 'alt', 'api-version'])

/**
 * The upstream URL comes only from the channel's base URL and the surface: nothing in the client's body or
 * headers can point the request elsewhere. The model is path-encoded, and was checked against the channel first.
 */
export function buildUpstreamPath(
  channel: ChannelRuntime,
  surface: Surface,
  upstreamModel: string,
  query: URLSearchParams,
  stream: boolean,
): string {
  const protocol = protocols[surface.protocol]
  const path = `${channel.basePath}/${protocol.upstreamPath(surface, upstreamModel)}`
  const q = new URLSearchParams()
  for (const [k, v] of query) if (PASS_QUERY.has(k) && k !== 'alt') q.append(k, v)
  if (stream) for (const [k, v] of Object.entries(protocol.streamQuery)) q.set(k, v)
  const qs = q.toString()
  return qs ? `${path}?${qs}` : path
}
