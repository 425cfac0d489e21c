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

/**
 * One audit record per proxied request, admitted or rejected (the record step, record-outcome.ts). The writer
 * redacts again (keys, passwords, `?key=`) off the hot path; unauthenticated rejections keep metadata only, so
 * scanners cannot fill the disk.
 */
export function buildProxyAuditRecord(outcome: ProxyOutcome): { record: AuditRecord; secrets: string[] } {
  const s = outcome.settlement
  const isStream = s?.isStream ?? false
  const authenticated = outcome.principal !== null
  const startedAt = new Date(outcome.startedAt).toISOString()
  const record: AuditRecord = {
    version: 1,
    request_id: outcome.requestId,
    created_at: startedAt,
    kind: authenticated ? 'full' : 'metadata',
    method: outcome.method,
    client_path: outcome.clientPath,
    client_protocol: outcome.surface.protocol,
    upstream_protocol: outcome.channel?.provider,
    upstream_url: outcome.upstreamUrl ?? undefined,
    channel_id: outcome.channel?.id,
    channel_name: outcome.channel?.name,
    token_id: outcome.principal?.keyId,
    username: outcome.principal?.username ?? undefined,
    group_id: s?.groupId ?? undefined,
    model: outcome.model ?? undefined,
    upstream_model: s?.upstreamModel ?? undefined,
    status: outcome.status,
    rejection_reason: outcome.rejection ?? undefined,
    error_code: outcome.errorCode ?? undefined,
    is_stream: isStream,
    request: {
      // Arrays joined and names lowercased by the writer's redaction, which copies the headers anyway.
      headers: outcome.requestHeaders as Record<string, string>,
      body: authenticated ? (outcome.requestJson ?? parseBody(outcome.requestBody)) : undefined,
    },
    response: {
      status: outcome.status,
      headers: outcome.responseHeaders,
      body:
        authenticated && !isStream
          ? (outcome.responseJson ?? parseBody(Buffer.from(outcome.responseBody)))
          : undefined,
      sse_raw: authenticated && isStream ? outcome.responseBody : undefined,
      reassembled_text: authenticated && isStream ? (outcome.reassembledText ?? undefined) : undefined,
    },
    timings: {
      started_at: startedAt,
      ttft_ms: s?.ttftMs ?? undefined,
      duration_ms: Math.round(outcome.durationMs),
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
  const secrets = [outcome.clientKey, outcome.channel?.apiKey].filter(
    (x): x is string => typeof x === 'string' && x.length > 0,
  )
  return { record, secrets }
}
