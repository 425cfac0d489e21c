import { SignJWT, jwtVerify } from 'jose'

const ISSUER = 'any-gateway'
const AUDIENCE = 'dashboard'

/** A JWT carries identity only; authority is read from the database on each request. */
export async function signSessionJwt(
  secret: string,
  username: string,
  ttlHours: number,
  nowMs: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(username)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.round(ttlHours * 3600))
    .sign(new TextEncoder().encode(secret))
}

/** HS256 pinned, `exp` required, lifetime capped: `alg:none`, missing `exp` and far-future tokens fail. */
export async function verifySessionJwt(
  secret: string,
  token: string,
  maxTtlHours: number,
): Promise<string | null> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: 60,
    })
    if (typeof payload.sub !== 'string' || !payload.sub) return null
    if (typeof payload.exp !== 'number' || typeof payload.iat !== 'number') return null
    if (payload.exp - payload.iat > maxTtlHours * 3600 + 60) return null
    return payload.sub
  } catch {
    return null
  }
}
