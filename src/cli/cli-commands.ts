import type { CliCommand } from './cli-command.ts'
import { copyDatabase } from './copy-database.ts'
import { createKey } from './create-key.ts'
import { createUser } from './create-user.ts'
import { importAnyGateway } from './import-any-gateway.ts'
import { migrateDatabase } from './migrate-database.ts'
import { reconcileRecords } from './reconcile-records.ts'
import { revokeKey } from './revoke-key.ts'
import { setUserBalance } from './set-user-balance.ts'
import { setUserPassword } from './set-user-password.ts'
import { setUserRole } from './set-user-role.ts'
import { startGateway } from './start-gateway.ts'
import { testChannel } from './test-channel.ts'

/** Every command of `any-gateway`, in the order `--help` lists them. */
export const cliCommands: readonly CliCommand[] = [
  startGateway,
  migrateDatabase,
  createUser,
  setUserPassword,
  setUserBalance,
  setUserRole,
  createKey,
  revokeKey,
  testChannel,
  reconcileRecords,
  copyDatabase,
  importAnyGateway,
]
