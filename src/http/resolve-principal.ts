import type { FastifyRequest } from 'fastify'
import { AppError } from '../domain/errors.ts'
import { safeEqual } from '../infra/crypto/safe-equal.ts'
import { breakGlassKeyTag, verifySessionJwt } from '../infra/crypto/jwt.ts'
import { FALLBACK_USERNAME } from '../services/auth/login.ts'
import type { AppDeps } from './app-deps.ts'
import type { AuthLevel, Principal } from './principal.ts'
import { SESSION_COOKIE, readCookie } from './session-cookie.ts'

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization
  if (typeof h !== 'string') return undefined
  const m = /^Bearer\s+(\S+)$/i.exec(h.trim())
  return m ? m[1] : undefined
}

/** The header the dashboard sends with every request; a page on another site cannot send it without CORS. */
export const CSRF_HEADER = 'x-requested-with'
export const CSRF_VALUE = 'any-gateway'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * A cookie goes along with any request the browser makes, including a form or `fetch` from another site; a
 * state-changing request authenticated by the cookie must prove it comes from the dashboard itself: the custom
 * header (which a cross-site page cannot add without a CORS grant the gateway never gives) and, where the
 * browser says so, a same-origin fetch. A bearer token is not sent by the browser on its own and needs neither.
 */
function assertSameSite(req: FastifyRequest): void {
  if (SAFE_METHODS.has(req.method)) return
  const site = req.headers['sec-fetch-site']
  if (req.headers[CSRF_HEADER] !== CSRF_VALUE || (site !== undefined && site !== 'same-origin')) {
    throw new AppError('forbidden', 'Cross-site request refused')
  }
}

/**
 * The principal a dashboard session stands for, or null. A user session is valid while its user exists with the
 * same id, is enabled and still has the session version it was issued with; a break-glass session while the
 * fallback key it was issued under is configured.
 */
export async function principalFromSession(deps: AppDeps, token: string): Promise<Principal | null> {
  const claims = await verifySessionJwt(
    deps.config.JWT_SECRET,
    token,
    deps.config.JWT_EXPIRE_HOURS,
    deps.clock.now(),
  )
  if (!claims) return null
  if (claims.kind === 'break-glass') {
    const key = deps.config.ADMIN_FALLBACK_KEY
    if (!key || !safeEqual(claims.keyTag, breakGlassKeyTag(key))) return null
    return { username: FALLBACK_USERNAME, role: 'superadmin', via: 'break-glass' }
  }
  const user = await deps.users.get(claims.userId)
  if (!user || user.disabled || user.sessionVersion !== claims.sessionVersion) return null
  return { username: user.username, role: user.role, via: 'jwt' }
}

/**
 * Who is calling. `x-admin-key` counts only on admin routes (never superadmin, never /user), as in the original.
 * A session comes as `Authorization: Bearer` (API clients) or as the dashboard's HttpOnly cookie.
 */
export async function resolvePrincipal(
  deps: AppDeps,
  req: FastifyRequest,
  level: AuthLevel,
): Promise<Principal> {
  const adminKey = req.headers['x-admin-key']
  if (adminKey !== undefined && level === 'admin') {
    if (safeEqual(adminKey, deps.config.ADMIN_KEY))
      return { username: 'x-admin-key', role: 'admin', via: 'admin-key' }
    throw new AppError('unauthorized', 'Invalid credentials')
  }
  let token = bearer(req)
  if (!token) {
    token = readCookie(req.headers.cookie, SESSION_COOKIE)
    if (token) assertSameSite(req)
  }
  if (!token) throw new AppError('unauthorized', 'Authentication required')
  const principal = await principalFromSession(deps, token)
  if (!principal) throw new AppError('unauthorized', 'Invalid or expired token')
  return principal
}
