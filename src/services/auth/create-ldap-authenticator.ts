import type { Config } from '../../config/config-schema.ts'
import { authenticateLdap } from '../../infra/ldap/authenticate-ldap.ts'
import type { LdapSettings } from '../../infra/ldap/ldap-settings.ts'
import type { LdapAuthenticate } from './login.ts'
import type { Logger } from 'pino'
import { errorMessage } from '../../domain/errors.ts'

export function ldapSettingsFrom(config: Readonly<Config>): LdapSettings {
  return {
    url: config.LDAP_SERVER_URL ?? '',
    baseDn: config.LDAP_BASE_DN,
    domain: config.LDAP_DOMAIN,
    userDnTemplate: config.LDAP_USER_DN_TEMPLATE,
    bindDn: config.LDAP_BIND_DN,
    bindPassword: config.LDAP_BIND_PASSWORD,
    userFilter: config.LDAP_USER_FILTER,
    timeoutMs: config.LDAP_TIMEOUT_MS,
    caFile: config.LDAP_CA_FILE,
    startTls: config.LDAP_STARTTLS,
  }
}

export function createLdapAuthenticator(config: Readonly<Config>, logger?: Logger): LdapAuthenticate {
  const settings = ldapSettingsFrom(config)
  return (username, password) =>
    authenticateLdap(settings, username, password, {
      // The directory's or the configuration's fault: worth an operator's attention, never with the password.
      onFailure: (stage, error) => logger?.warn({ stage, err: errorMessage(error) }, 'LDAP login failed'),
    })
}
