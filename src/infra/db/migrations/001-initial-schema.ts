import { sql, type Kysely } from 'kysely'

type Dialect = 'sqlite' | 'postgres'

/** One schema for both databases; only the names of a few column types differ. */
export function initialSchema(dialect: Dialect) {
  const float = dialect === 'postgres' ? 'double precision' : 'real'
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text')
        .addColumn('auth_source', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('user'))
        .addColumn('quota_nano', 'bigint')
        .addColumn('used_nano', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('reserved_nano', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_login_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('groups')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('multiplier', sql.raw(float), (c) => c.notNull().defaultTo(1))
        .addColumn('all_visible', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('description', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('group_members')
        .addColumn('username', 'text', (c) => c.notNull().references('users.username').onDelete('cascade'))
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_members_pk', ['username', 'group_id'])
        .execute()

      await db.schema
        .createTable('channels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('base_url', 'text', (c) => c.notNull())
        .addColumn('api_key_enc', 'text', (c) => c.notNull())
        .addColumn('api_key_hint', 'text', (c) => c.notNull())
        .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('models', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('model_mapping', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('extra_headers', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('connect_timeout_ms', 'integer')
        .addColumn('first_byte_timeout_ms', 'integer')
        .addColumn('idle_timeout_ms', 'integer')
        .addColumn('proxy_url', 'text')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('unknown'))
        .addColumn('last_error', 'text')
        .addColumn('cooldown_until', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('group_channels')
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('channel_id', 'text', (c) => c.notNull().references('channels.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('group_channels_pk', ['group_id', 'channel_id'])
        .execute()

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('key_prefix', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.references('users.username').onDelete('cascade'))
        .addColumn('group_id', 'text', (c) => c.references('groups.id'))
        .addColumn('quota_nano', 'bigint')
        .addColumn('used_nano', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('reserved_nano', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('frozen', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', 'bigint')
        .addColumn('allowed_models', 'text')
        .addColumn('rpm', 'integer')
        .addColumn('tpm', 'integer')
        .addColumn('max_concurrency', 'integer')
        .addColumn('last_used_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('tokens_username_idx').on('tokens').column('username').execute()

      await db.schema
        .createTable('rate_limits')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        .addColumn('window_sec', 'integer', (c) => c.notNull())
        .addColumn('limit_type', 'text', (c) => c.notNull())
        .addColumn('value', sql.raw(float), (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()

      for (const table of ['model_prices', 'group_model_prices'] as const) {
        let t = db.schema.createTable(table).addColumn('id', 'text', (c) => c.primaryKey())
        if (table === 'group_model_prices') {
          t = t.addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
        }
        await t
          .addColumn('model_name', 'text', (c) => c.notNull())
          .addColumn('unit', 'text', (c) => c.notNull())
          .addColumn('price_nano', 'bigint', (c) => c.notNull())
          .addColumn('above_input_tokens', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('vendor', 'text')
          .addColumn('context_length', 'integer')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute()
      }
      await db.schema
        .createIndex('model_prices_unique')
        .on('model_prices')
        .columns(['model_name', 'unit', 'above_input_tokens'])
        .unique()
        .execute()
      await db.schema
        .createIndex('group_model_prices_unique')
        .on('group_model_prices')
        .columns(['group_id', 'model_name', 'unit', 'above_input_tokens'])
        .unique()
        .execute()

      await db.schema
        .createTable('vouchers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('amount_nano', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('used_by', 'text')
        .addColumn('used_at', 'bigint')
        .addColumn('created_by', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()

      await db.schema
        .createTable('balance_ledger')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('token_id', 'text')
        .addColumn('request_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('amount_nano', 'bigint', (c) => c.notNull())
        .addColumn('balance_after_nano', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('balance_ledger_user_idx')
        .on('balance_ledger')
        .columns(['username', 'created_at'])
        .execute()

      await db.schema
        .createTable('usage_logs')
        .addColumn('request_id', 'text', (c) => c.primaryKey())
        .addColumn('token_id', 'text')
        .addColumn('username', 'text')
        .addColumn('channel_id', 'text')
        .addColumn('group_id', 'text')
        .addColumn('protocol', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('model', 'text')
        .addColumn('upstream_model', 'text')
        .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('cache_read_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('cache_write_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('reasoning_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_nano', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('covered_by_package', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('usage_source', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('is_stream', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('duration_ms', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('ttft_ms', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('usage_logs_created_idx').on('usage_logs').column('created_at').execute()
      await db.schema
        .createIndex('usage_logs_user_idx')
        .on('usage_logs')
        .columns(['username', 'created_at'])
        .execute()
      await db.schema
        .createIndex('usage_logs_token_idx')
        .on('usage_logs')
        .columns(['token_id', 'created_at'])
        .execute()

      await db.schema
        .createTable('admin_audit')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('summary', 'text')
        .addColumn('ip', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute()
      await db.schema.createIndex('admin_audit_created_idx').on('admin_audit').column('created_at').execute()
    },
  }
}
