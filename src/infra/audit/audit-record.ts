/**
 * One audit ("session") record per request, stored Brotli-compressed at
 * `{dir}/{YYYY_MM_DD}/{request_id}.json.br`. Every string in it has been redacted before it is compressed:
 * no client key, no channel key, no `?key=`, no cookie, no password.
 */

export type AuditRecordKind = 'full' | 'metadata'

/** Why a record carries no bodies. Absent on `kind: 'full'` records. */
export type AuditMetadataReason =
  /** `AUDIT_BODIES=metadata`, or the caller asked for metadata (e.g. unauthenticated requests). */
  | 'requested'
  /** The queue passed 90 % of its capacity, or the bytes waiting passed their cap. */
  | 'pressure'
  /** The queue was full; the record went to the overflow list of small metadata records. */
  | 'overflow'
  /** Written synchronously because even the overflow list was full, or the writer was closed. */
  | 'sync'
  /** The serialised record was larger than the per-record cap. */
  | 'oversize'

export type AuditUsageSource = 'reported' | 'estimated' | 'partial' | 'none'

export interface AuditUsage {
  input_tokens: number
  output_tokens: number
  cache_read_tokens?: number
  cache_write_tokens?: number
  reasoning_tokens?: number
}

export interface AuditRequestPart {
  headers: Record<string, string>
  body?: unknown
}

export interface AuditResponsePart {
  status: number
  headers: Record<string, string>
  body?: unknown
  /** Raw SSE text as received from upstream (streams only). */
  sse_raw?: string
  /** The answer the client received, reassembled from the stream (streams only). */
  reassembled_text?: string
}

export interface AuditTimings {
  /** ISO 8601 UTC. */
  started_at: string
  ttft_ms?: number
  duration_ms: number
}

export interface AuditRecord {
  version: 1
  request_id: string
  /** ISO 8601 UTC; its date picks the day folder. */
  created_at: string
  kind: AuditRecordKind
  metadata_reason?: AuditMetadataReason
  method: string
  /** Path and query as the client sent them, query secrets redacted. */
  client_path: string
  client_protocol: string
  /** The channel's protocol; differs from `client_protocol` when the request was translated (issue 17). */
  upstream_protocol?: string
  /** Redacted; never shown to non-admin users. */
  upstream_url?: string
  channel_id?: string
  /** Never shown to non-admin users. */
  channel_name?: string
  token_id?: string
  username?: string
  group_id?: string
  model?: string
  upstream_model?: string
  /** Status returned to the client; 0 when the client went away before any status was sent. */
  status: number
  rejection_reason?: string
  error_code?: string
  is_stream: boolean
  request: AuditRequestPart
  response: AuditResponsePart
  timings: AuditTimings
  usage?: AuditUsage
  cost_usd?: number
  usage_source?: AuditUsageSource
}
