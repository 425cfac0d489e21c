import type { FastifyReply, FastifyRequest } from 'fastify'
import { signSessionJwt, type SessionClaims } from '../infra/crypto/jwt.ts'
import type { AppDeps } from './app-deps.ts'
import { CSRF_HEADER, CSRF_VALUE } from './resolve-principal.ts'
import { setSessionCookie } from './session-cookie.ts'

/**
 * Signs a session and hands it over as its caller expects: the dashboard, which says so with its header, gets
 * it only as an HttpOnly cookie (no script on the page ever sees it); an API client gets `access_token` in the
 * body (README, "Logins and sessions"). Used by the login and by a password change, which re-issues the caller's
 * own session under the new session version.
 */
export async function issueSession(
  deps: AppDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  claims: SessionClaims,
): Promise<{ access_token?: string; expires_in: number }> {
  const ttlSec = Math.round(deps.config.JWT_EXPIRE_HOURS * 3600)
  const token = await signSessionJwt(
    deps.config.JWT_SECRET,
    claims,
    deps.config.JWT_EXPIRE_HOURS,
    deps.clock.now(),
  )
  void reply.header('cache-control', 'no-store')
  if (req.headers[CSRF_HEADER] === CSRF_VALUE) {
    setSessionCookie(req, reply, token, ttlSec)
    return { expires_in: ttlSec }
  }
  return { access_token: token, expires_in: ttlSec }
}
