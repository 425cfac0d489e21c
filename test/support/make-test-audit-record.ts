import type { AuditRecord } from '../../src/infra/audit/audit-record.ts'

/** A complete record for tests; `overrides` replace top-level fields. */
export function makeTestAuditRecord(requestId: string, overrides: Partial<AuditRecord> = {}): AuditRecord {
  const created = overrides.created_at ?? '2024-05-06T12:00:00.000Z'
  return {
    version: 1,
    request_id: requestId,
    created_at: created,
    kind: 'full',
    method: 'POST',
    client_path: '/v1/chat/completions',
    client_protocol: 'openai',
    upstream_url: 'https://api.example.com/v1/chat/completions',
    channel_id: 'ch-1',
    channel_name: 'primary',
    token_id: 'tok-1',
    username: 'alice',
    model: 'gpt-test',
    status: 200,
    is_stream: false,
    request: {
      headers: { 'content-type': 'application/json' },
      body: { model: 'gpt-test', messages: [{ role: 'user', content: `hello ${requestId}` }] },
    },
    response: {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { choices: [{ message: { role: 'assistant', content: 'hi there' } }] },
    },
    timings: { started_at: created, ttft_ms: 12, duration_ms: 34 },
    usage: { input_tokens: 5, output_tokens: 3 },
    cost_usd: 0.0001,
    usage_source: 'reported',
    ...overrides,
  }
}
