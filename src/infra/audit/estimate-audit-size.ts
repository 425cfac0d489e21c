import type { AuditRecord } from './audit-record.ts'

/** Assumed size of a body too large to measure within the node budget. */
const LARGE_BODY_BYTES = 1024 * 1024

/**
 * A cheap estimate of a record's serialised size, run on the request path to bound the bytes held by the
 * queue. Strings count by length; after `nodeBudget` values the walk stops and assumes a large body.
 */
export function estimateAuditSize(record: AuditRecord, nodeBudget = 10_000): number {
  let nodes = 0
  let bytes = 512
  const stack: unknown[] = [
    record.request?.headers,
    record.request?.body,
    record.response?.headers,
    record.response?.body,
    record.response?.sse_raw,
    record.response?.reassembled_text,
  ]
  try {
    while (stack.length > 0) {
      if (++nodes > nodeBudget) return Math.max(bytes, LARGE_BODY_BYTES)
      const v = stack.pop()
      if (typeof v === 'string') bytes += v.length + 2
      else if (v === null || v === undefined) bytes += 4
      else if (typeof v !== 'object') bytes += 8
      else if (ArrayBuffer.isView(v)) bytes += v.byteLength
      else {
        const keys = Array.isArray(v) ? null : Object.keys(v)
        const items: unknown[] = keys ? keys.map((k) => (v as Record<string, unknown>)[k]) : (v as unknown[])
        if (keys) for (const k of keys) bytes += k.length + 4
        if (items.length + stack.length > nodeBudget) return Math.max(bytes, LARGE_BODY_BYTES)
        for (const item of items) stack.push(item)
      }
    }
  } catch {
    return LARGE_BODY_BYTES
  }
  return bytes
}
