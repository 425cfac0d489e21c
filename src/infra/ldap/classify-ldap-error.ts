import { InvalidCredentialsError, ResultCodeError } from 'ldapts'

/** LDAP result code 49. */
export const INVALID_CREDENTIALS = 49

/**
 * Whether the server said "wrong name or password" (49) for the user's own bind.
 * Everything else (connection refused, timeouts, TLS failures, unwillingToPerform, referrals...) is
 * "unavailable": the caller must tell those apart, because only an unreachable directory may open the
 * emergency path, and only a real 49 should count towards the per-user throttle.
 */
export function isInvalidCredentials(err: unknown): boolean {
  if (err instanceof InvalidCredentialsError) return true
  return err instanceof ResultCodeError && err.code === INVALID_CREDENTIALS
}
