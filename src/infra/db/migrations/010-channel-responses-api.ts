import type { Kysely } from 'kysely'

/**
 * Whether an OpenAI channel's server has `/v1/responses` (docs/channels.md › Responses API). Chat-only
 * OpenAI-compatible servers (DeepSeek, older vLLM, Ollama) say no, and the gateway then translates a Responses
 * request to Chat Completions. An integer 0/1 like `enabled`, the same on SQLite and PostgreSQL; existing channels
 * keep what they did before (true: Responses requests pass through). Ignored for other protocols.
 */
export const channelResponsesApiMigration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('channels')
      .addColumn('responses_api', 'integer', (c) => c.notNull().defaultTo(1))
      .execute()
  },
}
