import { readFile } from 'node:fs/promises'
import type { ConnectionOptions } from 'node:tls'

/**
 * TLS options for ldaps:// and StartTLS. Certificate checks stay on whatever the caller configures:
 * `rejectUnauthorized: false` is the classic "fix" that turns LDAP TLS into a password leak.
 * The CA file is read per attempt so a rotated CA takes effect without a restart.
 */
export async function buildLdapTlsOptions(url: URL, caFile: string | undefined): Promise<ConnectionOptions> {
  // URL keeps IPv6 literals in brackets; TLS host checks want the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const options: ConnectionOptions = {
    host,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  }
  if (caFile) options.ca = await readFile(caFile)
  return options
}
