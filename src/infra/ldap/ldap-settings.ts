/** LDAP connection and login-mode settings, as read from LDAP_* environment variables by the config layer. */
export interface LdapSettings {
  /** ldap:// or ldaps:// */
  url: string
  baseDn?: string
  /** AD mode: bind as `DOMAIN\user` (down-level logon name), as the original system did. */
  domain?: string
  /** e.g. 'uid={username},ou=people,dc=example,dc=org': bind as that DN, the value RFC 4514-escaped. */
  userDnTemplate?: string
  /** Search-then-bind: the service account... */
  bindDn?: string
  bindPassword?: string
  /** ...and a filter such as '(|(uid={username})(userPrincipalName={username}))', the value RFC 4515-escaped. */
  userFilter?: string
  /** Used as connect timeout, per-operation timeout and as the deadline of the whole attempt. */
  timeoutMs: number
  /** PEM CA bundle for ldaps:// and StartTLS. */
  caFile?: string
  startTls: boolean
}

export type LdapAuthResult =
  | { ok: true; username: string; displayName?: string; email?: string }
  | { ok: false; reason: 'invalid_credentials' | 'unavailable' | 'invalid_input' | 'not_found' }

export const USERNAME_PLACEHOLDER = '{username}'

export type LdapMode =
  | { kind: 'search'; bindDn: string; bindPassword: string; userFilter: string; baseDn: string }
  | { kind: 'dn-template'; userDnTemplate: string }
  | { kind: 'ad'; domain: string }

/**
 * Picks the login mode (search-then-bind, then DN template, then AD) or explains why the settings are unusable.
 * Call it at startup too: a misconfiguration should stop the boot, not surface as failed logins.
 */
export function resolveLdapMode(
  settings: LdapSettings,
): { ok: true; mode: LdapMode } | { ok: false; problem: string } {
  let url: URL
  try {
    url = new URL(settings.url)
  } catch {
    return { ok: false, problem: 'LDAP url is not a valid URL' }
  }
  if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') {
    return { ok: false, problem: 'LDAP url must start with ldap:// or ldaps://' }
  }
  if (!Number.isFinite(settings.timeoutMs) || settings.timeoutMs <= 0) {
    // ldapts treats 0 as "no timeout", which is exactly the hang this setting exists to prevent.
    return { ok: false, problem: 'LDAP timeoutMs must be a positive number' }
  }
  if (settings.bindDn && settings.userFilter) {
    // An empty service password is an unauthenticated bind: many servers answer it with success as anonymous.
    if (!settings.bindPassword || settings.bindPassword.trim() === '') {
      return { ok: false, problem: 'LDAP bind DN is set but its password is empty' }
    }
    if (!settings.baseDn) return { ok: false, problem: 'LDAP search-then-bind needs a base DN' }
    if (!settings.userFilter.includes(USERNAME_PLACEHOLDER)) {
      return { ok: false, problem: `LDAP user filter must contain ${USERNAME_PLACEHOLDER}` }
    }
    return {
      ok: true,
      mode: {
        kind: 'search',
        bindDn: settings.bindDn,
        bindPassword: settings.bindPassword,
        userFilter: settings.userFilter,
        baseDn: settings.baseDn,
      },
    }
  }
  if (settings.userDnTemplate) {
    if (!settings.userDnTemplate.includes(USERNAME_PLACEHOLDER)) {
      return { ok: false, problem: `LDAP user DN template must contain ${USERNAME_PLACEHOLDER}` }
    }
    return { ok: true, mode: { kind: 'dn-template', userDnTemplate: settings.userDnTemplate } }
  }
  if (settings.domain) {
    if (/[\\/@\s]/.test(settings.domain))
      return { ok: false, problem: 'LDAP domain must be a bare NetBIOS name' }
    return { ok: true, mode: { kind: 'ad', domain: settings.domain } }
  }
  return { ok: false, problem: 'LDAP needs a domain, a user DN template, or a bind DN with a user filter' }
}
