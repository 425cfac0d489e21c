import type { Config } from '../config/config-schema.ts'
import type { BootstrapResult } from '../services/users/bootstrap-superadmin.ts'

/** Printed once, on the start that created the account; the password stays in its 0600 file. */
export function announceReady(config: Readonly<Config>, boot: BootstrapResult): void {
  if (!boot.createdLocalAdmin) return
  process.stdout.write(
    `\n  Any Gateway is ready at http://127.0.0.1:${config.GATEWAY_PORT}/\n` +
      `  Bootstrap superadmin: username "${boot.createdLocalAdmin.username}", ` +
      `password in ${boot.createdLocalAdmin.passwordFile}\n` +
      `  (cat that file, log in, then change the password or add your own superadmin).\n` +
      (boot.createdLocalAdmin.earlierPasswordFile
        ? `  The password file found there was made for another database on this DATA_DIR; it is kept as\n` +
          `  ${boot.createdLocalAdmin.earlierPasswordFile}. Give each database its own DATA_DIR.\n`
        : '') +
      '\n',
  )
}
