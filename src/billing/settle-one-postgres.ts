import { sql, type Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import { newId } from '../infra/ids.ts'
import type { UsageRow } from './settlement.ts'

/**
 * PostgreSQL, a settlement alone in its batch (a quiet gateway): the same writes as a batch of one — release of the
 * reservation, the usage row, the user's and the key's totals and the ledger row — as one statement, so it costs
 * one round trip instead of seven (BEGIN, five statements, COMMIT). One statement is one transaction: a duplicate
 * request id fails the usage row and with it everything else.
 *
 * `chargedUser` is the user whose balance pays (null when a package covers the request, it cost nothing or there is
 * no user); the ledger row records the balance right after the charge. Users are locked before keys, as admission
 * and batched settlements do: the main query reads `u`, the key update `t` is not referenced and runs after it.
 */
export async function settleOnePostgres(
  db: Kysely<Database>,
  row: UsageRow,
  reserved: boolean,
  chargedUser: string | null,
): Promise<void> {
  const cost = chargedUser === null ? 0n : row.costNano
  await sql`
    WITH r AS (
      DELETE FROM reservations WHERE ${reserved} AND request_id = ${row.requestId}::text
      RETURNING username, token_id, user_amount_nano, token_amount_nano
    ), ins AS (
      INSERT INTO usage_logs (request_id, token_id, username, channel_id, group_id, protocol, endpoint, model,
        upstream_model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
        cost_nano, covered_by_package, usage_source, status, error_code, is_stream, duration_ms, ttft_ms, created_at,
        client_ip)
      VALUES (${row.requestId}::text, ${row.keyId}::text, ${row.username}::text, ${row.channelId}::text,
        ${row.groupId}::text, ${row.protocol}::text, ${row.endpoint}::text, ${row.model}::text,
        ${row.upstreamModel}::text, ${row.inputTokens}::bigint, ${row.outputTokens}::bigint,
        ${row.cacheReadTokens}::bigint, ${row.cacheWriteTokens}::bigint, ${row.reasoningTokens}::bigint,
        ${row.costNano}::bigint, ${row.coveredByPackage}::integer, ${row.usageSource}::text, ${row.status}::integer,
        ${row.errorCode}::text, ${row.isStream}::integer, ${row.durationMs}::integer, ${row.ttftMs}::integer,
        ${row.createdAt}::bigint, ${row.clientIp}::text)
      RETURNING 1
    ), u AS (
      UPDATE users SET
        reserved_nano = reserved_nano
          - COALESCE((SELECT sum(user_amount_nano) FROM r WHERE r.username = users.username), 0)::bigint,
        used_nano = used_nano + CASE WHEN users.username = ${chargedUser}::text THEN ${cost}::bigint ELSE 0 END,
        quota_nano = quota_nano - CASE WHEN users.username = ${chargedUser}::text THEN ${cost}::bigint ELSE 0 END
      WHERE EXISTS (SELECT 1 FROM ins)
        AND (users.username IN (SELECT username FROM r) OR users.username = ${chargedUser}::text)
      RETURNING users.username, users.quota_nano
    ), t AS (
      UPDATE tokens SET
        reserved_nano = reserved_nano
          - COALESCE((SELECT sum(token_amount_nano) FROM r WHERE r.token_id = tokens.id), 0)::bigint,
        used_nano = used_nano + CASE WHEN tokens.id = ${row.keyId}::text THEN ${row.costNano}::bigint ELSE 0 END,
        last_used_at = CASE WHEN tokens.id = ${row.keyId}::text THEN ${row.createdAt}::bigint ELSE last_used_at END
      WHERE EXISTS (SELECT 1 FROM ins)
        AND (tokens.id IN (SELECT token_id FROM r) OR tokens.id = ${row.keyId}::text)
      RETURNING 1
    )
    INSERT INTO balance_ledger (id, username, token_id, request_id, kind, amount_nano, balance_after_nano, created_at)
    SELECT ${newId()}::text, u.username, ${row.keyId}::text, ${row.requestId}::text, 'settle',
      ${-cost}::bigint, u.quota_nano, ${row.createdAt}::bigint
    FROM u WHERE u.username = ${chargedUser}::text AND ${chargedUser !== null}`.execute(db)
}
