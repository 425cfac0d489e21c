import type { AuditMetadataReason, AuditRecord } from './audit-record.ts'

/**
 * The metadata-only form of a record: request and response bodies, raw SSE and reassembled text are
 * dropped; ids, status, headers, timings, usage and cost are kept. Cheap (no deep copy), so it can run on the
 * request path when the queue is under pressure.
 */
export function stripAuditBodies(record: AuditRecord, reason: AuditMetadataReason): AuditRecord {
  const request = record.request ?? { headers: {} }
  const response = record.response ?? { status: record.status, headers: {} }
  return {
    ...record,
    kind: 'metadata',
    // Keep the first reason: a record asked for as metadata stays 'requested' even if later degraded.
    metadata_reason: record.kind === 'metadata' && record.metadata_reason ? record.metadata_reason : reason,
    request: { headers: request.headers ?? {} },
    response: { status: response.status, headers: response.headers ?? {} },
  }
}
