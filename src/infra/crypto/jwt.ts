import { createHmac } from 'node:crypto'
import { SignJWT, jwtVerify } from 'jose'

const ISSUER = 'any-gateway'
const AUDIENCE = 'dashboard'
/** Clocks of two gateway hosts may differ this much; a token issued further in the future is refused. */
const SKEW_SEC = 60

/**
 * What a dashboard session names. Authority (role, disabled) is read from the database on each request.
 * - `user`: the user's id and session version; a changed password, role or disabled flag bumps the version, a
 *   deleted user's id never comes back, so either ends the session.
 * - `break-glass`: the fallback login. It is told apart by this claim, which only the login route's fallback
 *   branch writes, never by a username; `keyTag` ties it to the fallback key it was issued under.
 */
export type SessionClaims =
  | { kind: 'user'; userId: string; username: string; sessionVersion: number }
  | { kind: 'break-glass'; keyTag: string }

/** A tag of the fallback key (not the key, not reversible): rotating the key ends break-glass sessions. */
export function breakGlassKeyTag(fallbackKey: string): string {
  return createHmac('sha256', fallbackKey)
    .update('any-gateway break-glass session')
    .digest()
    .subarray(0, 16)
    .toString('base64url')
}

export async function signSessionJwt(
  secret: string,
  claims: SessionClaims,
  ttlHours: number,
  nowMs: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000)
  const payload =
    claims.kind === 'user'
      ? { kind: 'user', uid: claims.userId, sv: claims.sessionVersion }
      : { kind: 'break-glass', kt: claims.keyTag }
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.kind === 'user' ? claims.username : 'break-glass')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.round(ttlHours * 3600))
    .sign(new TextEncoder().encode(secret))
}

/**
 * HS256 pinned, `exp`, `iat` and `sub` required, `iat` at most 60 s ahead of this host's clock, lifetime
 * `exp − iat` at most the configured TTL: `alg:none`, a missing `exp`, a far-future `exp` or an `iat` set in
 * the future to stretch the lifetime all fail.
 */
export async function verifySessionJwt(
  secret: string,
  token: string,
  maxTtlHours: number,
  nowMs: number,
): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: SKEW_SEC,
      currentDate: new Date(nowMs),
    })
    const { sub, exp, iat } = payload
    if (typeof sub !== 'string' || !sub) return null
    if (typeof exp !== 'number' || typeof iat !== 'number') return null
    if (iat > nowMs / 1000 + SKEW_SEC) return null
    if (exp - iat > Math.round(maxTtlHours * 3600)) return null
    if (payload.kind === 'break-glass') {
      return typeof payload.kt === 'string' && payload.kt ? { kind: 'break-glass', keyTag: payload.kt } : null
    }
    if (payload.kind !== 'user') return null
    const { uid, sv } = payload
    if (typeof uid !== 'string' || !uid || typeof sv !== 'number' || !Number.isSafeInteger(sv)) return null
    return { kind: 'user', userId: uid, username: sub, sessionVersion: sv }
  } catch {
    return null
  }
}
