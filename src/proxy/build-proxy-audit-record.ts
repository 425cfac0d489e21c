import type { AuditRecord } from '../infra/audit/audit-record.ts'
import { countPromptTokens } from '../protocol/usage/usage.ts'
import type { ProxyOutcome } from './proxy-types.ts'

const MAX_BODY_CHARS = 8 * 1024 * 1024

function parseBody(buf: Buffer): unknown {
  if (buf.length === 0) return undefined
  if (buf.length > MAX_BODY_CHARS) return `[${buf.length} bytes not stored]`
  const text = buf.toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    return text.includes('\u0000') ? `[${buf.length} binary bytes]` : text
  }
}

function headersOf(h: ProxyOutcome['requestHeaders']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

/**
 * One audit record per proxied request, admitted or rejected (the record step, record-outcome.ts). The writer
 * redacts again (keys, passwords, `?key=`) off the hot path; unauthenticated rejections keep metadata only, so
 * scanners cannot fill the disk.
 */
export function buildProxyAuditRecord(o: ProxyOutcome): { record: AuditRecord; secrets: string[] } {
  const s = o.settlement
  const isStream = s?.isStream ?? false
  const authenticated = o.principal !== null
  const record: AuditRecord = {
    version: 1,
    request_id: o.requestId,
    created_at: new Date(o.startedAt).toISOString(),
    kind: authenticated ? 'full' : 'metadata',
    method: o.method,
    client_path: o.clientPath,
    client_protocol: o.surface.protocol,
    upstream_url: o.upstreamUrl ?? undefined,
    channel_id: o.channel?.id,
    channel_name: o.channel?.name,
    token_id: o.principal?.tokenId,
    username: o.principal?.username ?? undefined,
    group_id: s?.groupId ?? undefined,
    model: o.model ?? undefined,
    upstream_model: s?.upstreamModel ?? undefined,
    status: o.status,
    rejection_reason: o.rejection ?? undefined,
    error_code: o.errorCode ?? undefined,
    is_stream: isStream,
    request: {
      headers: headersOf(o.requestHeaders),
      body: authenticated ? (o.requestJson ?? parseBody(o.requestBody)) : undefined,
    },
    response: {
      status: o.status,
      headers: o.responseHeaders,
      body:
        authenticated && !isStream ? (o.responseJson ?? parseBody(Buffer.from(o.responseBody))) : undefined,
      sse_raw: authenticated && isStream ? o.responseBody : undefined,
      reassembled_text: authenticated && isStream ? (o.reassembledText ?? undefined) : undefined,
    },
    timings: {
      started_at: new Date(o.startedAt).toISOString(),
      ttft_ms: s?.ttftMs ?? undefined,
      duration_ms: Math.round(o.durationMs),
    },
    usage: s
      ? {
          input_tokens: countPromptTokens(s.usage),
          output_tokens: s.usage.outputTokens,
          cache_read_tokens: s.usage.cacheReadTokens,
          cache_write_tokens: s.usage.cacheWriteTokens + s.usage.cacheWrite1hTokens,
          reasoning_tokens: s.usage.reasoningTokens,
        }
      : undefined,
    cost_usd: s ? Number(s.costNano) / 1e9 : undefined,
    usage_source: s?.usageSource,
  }
  const secrets = [o.clientKey, o.channel?.apiKey].filter(
    (x): x is string => typeof x === 'string' && x.length > 0,
  )
  return { record, secrets }
}
