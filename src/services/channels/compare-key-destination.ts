import type { Selectable } from 'kysely'
import type { ChannelsTable } from '../../infra/db/database-types.ts'
import type { UpdateChannelBody } from '../../contracts/channels.ts'
import { parseJson } from '../../infra/db/convert-row-values.ts'

export interface KeyDestinationSummary {
  base_url_host?: { from: string; to: string }
  proxy_host?: { from: string | null; to: string | null }
  extra_headers?: { from: string[]; to: string[] }
}

/** scheme://host:port: where a request goes. A different path on the same origin reaches the same server. */
function originOf(url: string): string {
  return new URL(url).origin
}

/** Header names lower-cased and sorted with their values, so reordering or re-casing is no change. */
function canonicalHeaders(headers: Record<string, string>): string {
  return JSON.stringify(
    Object.entries(headers)
      .map(([k, v]) => [k.toLowerCase(), v])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  )
}

const headerNames = (headers: Record<string, string>) =>
  Object.keys(headers)
    .map((k) => k.toLowerCase())
    .sort()

/**
 * What a channel change does to where its key is sent. `requiresKey` names the fields that send the stored key
 * somewhere new: another base URL origin, a new or different proxy (a proxy sees plain-HTTP traffic, key
 * included), other extra headers (a `Host` or routing header can steer the request elsewhere). Dropping a proxy
 * sends the key only to the host that already had it, so it is recorded but needs no key.
 */
export function keyDestinationChange(
  before: Selectable<ChannelsTable>,
  body: UpdateChannelBody,
): { requiresKey: string[]; summary: KeyDestinationSummary | null } {
  const requiresKey: string[] = []
  const summary: KeyDestinationSummary = {}
  if (body.base_url !== undefined) {
    const from = originOf(before.base_url)
    const to = originOf(body.base_url)
    if (from !== to) {
      requiresKey.push('base_url')
      summary.base_url_host = { from, to }
    }
  }
  if (body.proxy_url !== undefined) {
    const from = before.proxy_url ? originOf(before.proxy_url) : null
    const to = body.proxy_url ? originOf(body.proxy_url) : null
    if (from !== to) {
      if (to !== null) requiresKey.push('proxy_url')
      summary.proxy_host = { from, to }
    }
  }
  if (body.extra_headers !== undefined) {
    const old = parseJson<Record<string, string>>(before.extra_headers, {})
    if (canonicalHeaders(old) !== canonicalHeaders(body.extra_headers)) {
      requiresKey.push('extra_headers')
      summary.extra_headers = { from: headerNames(old), to: headerNames(body.extra_headers) }
    }
  }
  return { requiresKey, summary: Object.keys(summary).length > 0 ? summary : null }
}
