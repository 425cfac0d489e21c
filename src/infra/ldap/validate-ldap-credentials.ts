/**
 * Input checks that run before any connection is opened.
 *
 * The password rules are the important ones: RFC 4513 §5.1.2 makes a simple bind with a DN and an empty
 * password an "unauthenticated bind", which many servers (Active Directory among them) answer with success.
 * So an empty password must never reach the wire. Whitespace-only and NUL-carrying passwords are refused too:
 * some stacks trim or truncate at NUL and end up sending an empty password after all.
 */
export const MAX_USERNAME_LENGTH = 256
/** Far above any real password; keeps a login request from shipping megabytes to the directory. */
export const MAX_PASSWORD_LENGTH = 1024

/** C0 and C1 control characters plus DEL; NUL is among them. */
function hasControlChar(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true
  }
  return false
}

export function isAcceptableLdapPassword(password: unknown): password is string {
  if (typeof password !== 'string') return false
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false
  if (password.trim() === '') return false
  return !password.includes('\0')
}

/** Returns the trimmed username, or null when it must not be used at all. */
export function normalizeLdapUsername(username: unknown): string | null {
  if (typeof username !== 'string') return null
  const trimmed = username.trim()
  if (trimmed.length === 0 || trimmed.length > MAX_USERNAME_LENGTH) return null
  if (hasControlChar(username)) return null
  return trimmed
}
