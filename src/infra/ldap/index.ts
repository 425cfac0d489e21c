/** LDAP / Active Directory login. Everything else in this folder is an implementation detail. */
export { authenticateLdap, type LdapAttemptObserver, type LdapFailureStage } from './authenticate-ldap.ts'
export { resolveLdapMode, type LdapAuthResult, type LdapMode, type LdapSettings } from './ldap-settings.ts'
export { escapeLdapDnValue } from './escape-ldap-dn.ts'
export { escapeLdapFilterValue } from './escape-ldap-filter.ts'
export { buildAdBindName } from './build-ad-bind-name.ts'
