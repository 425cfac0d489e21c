/**
 * Builds the down-level logon name `DOMAIN\user` used for Active Directory simple binds.
 *
 * AD resolves that name itself, so there is no DN or filter to escape. Instead, characters that can never
 * appear in a sAMAccountName are refused: they only serve to smuggle a second domain (`OTHER\bob`) or a UPN
 * (`bob@other.forest`) into the bind name and reach accounts outside the configured domain.
 */
const SAM_FORBIDDEN = /["/\\[\]:;|=,+*?<>@]/

export function buildAdBindName(domain: string, username: string): string | null {
  if (SAM_FORBIDDEN.test(username)) return null
  return `${domain}\\${username}`
}
