import type { FastifyRequest } from 'fastify'
import { AppError } from '../domain/errors.ts'
import { safeEqual } from '../infra/crypto/safe-equal.ts'
import { verifySessionJwt } from '../infra/crypto/jwt.ts'
import { FALLBACK_USERNAME } from '../services/auth/login.ts'
import type { AppDeps } from './app-deps.ts'
import type { AuthLevel, Principal } from './principal.ts'

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization
  if (typeof h !== 'string') return undefined
  const m = /^Bearer\s+(\S+)$/i.exec(h.trim())
  return m ? m[1] : undefined
}

/**
 * Who is calling. `x-admin-key` counts only on admin routes (never superadmin, never /user), as in the original.
 * The JWT names the user; role and disabled state come from the database cache.
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
  const token = bearer(req)
  if (!token) throw new AppError('unauthorized', 'Authentication required')
  const username = await verifySessionJwt(deps.config.JWT_SECRET, token, deps.config.JWT_EXPIRE_HOURS)
  if (!username) throw new AppError('unauthorized', 'Invalid or expired token')
  if (username === FALLBACK_USERNAME) {
    // The break-glass identity is only valid while its key is configured.
    if (!deps.config.ADMIN_FALLBACK_KEY) throw new AppError('unauthorized', 'Invalid or expired token')
    return { username, role: 'superadmin', via: 'jwt' }
  }
  const user = await deps.users.get(username)
  if (!user || user.disabled) throw new AppError('unauthorized', 'Invalid or expired token')
  return { username: user.username, role: user.role, via: 'jwt' }
}
