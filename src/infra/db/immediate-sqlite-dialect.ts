import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type TransactionSettings,
} from 'kysely'

/**
 * SQLite's transactions begin IMMEDIATE: the write lock is taken at BEGIN, where the busy timeout waits for another
 * process (a second cluster worker, the CLI beside a running gateway) to commit. A DEFERRED transaction that reads
 * first and writes later is instead refused at once with SQLITE_BUSY_SNAPSHOT when another process committed in
 * between — no busy wait helps there (docs/architecture.md, "Several workers and hosts"). A transaction set to
 * `setAccessMode('read only')` stays DEFERRED, so a long read (the ledger check) does not hold writers off.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(
    connection: DatabaseConnection,
    settings?: TransactionSettings,
  ): Promise<void> {
    const begin = settings?.accessMode === 'read only' ? 'begin deferred' : 'begin immediate'
    await connection.executeQuery(CompiledQuery.raw(begin))
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0]
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config)
    this.#config = config
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config)
  }
}
