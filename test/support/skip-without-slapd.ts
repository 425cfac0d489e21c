import { isSlapdInstalled } from './openldap-server.ts'

/**
 * Whether a suite against a real slapd must skip: only outside CI, where slapd is missing, and then loudly
 * (`which`: what is skipped). In CI a missing slapd makes the suite fail instead.
 */
export function skipWithoutSlapd(which: string): boolean {
  const skip = !isSlapdInstalled() && process.env.CI !== 'true'
  if (skip) {
    console.warn(
      `\n##########\n#  SKIPPING ${which}: /usr/sbin/slapd is not installed.\n` +
        '#  Install it with: apt-get install -y slapd ldap-utils\n' +
        '#  (In CI, CI=true makes this a failure instead of a skip.)\n##########\n',
    )
  }
  return skip
}
