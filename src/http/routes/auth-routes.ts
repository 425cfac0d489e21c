import { loginBody } from '../../contracts/auth.ts'
import { route } from '../define-route.ts'
import { login } from '../../services/auth/login.ts'
import { signSessionJwt } from '../../infra/crypto/jwt.ts'
import { getMyStatus } from '../../services/users/my-status.ts'
import { nanoToUsd, toBig, toBigOrNull } from '../../infra/db/convert-row-values.ts'
import type { RouteContext } from '../define-route.ts'
import type { LoginBody } from '../../contracts/auth.ts'

async function handleLogin({ deps, body, ip }: RouteContext<LoginBody, unknown, 'public'>) {
  const result = await login(
    {
      db: deps.db.db,
      clock: deps.clock,
      fallbackKey: deps.config.ADMIN_FALLBACK_KEY,
      ldap: deps.ldap,
      throttle: deps.loginThrottle,
    },
    body.username,
    body.password,
    ip,
  )
  if (result.source === 'fallback') {
    await deps.audit({ actor: result.username, action: 'auth.fallback_login', ip })
    deps.logger.warn({ ip }, 'break-glass fallback login used')
  }
  const access_token = await signSessionJwt(
    deps.config.JWT_SECRET,
    result.username,
    deps.config.JWT_EXPIRE_HOURS,
    deps.clock.now(),
  )
  return { access_token, token_type: 'bearer', role: result.role, username: result.username }
}

export const authRoutes = [
  route({
    method: 'POST',
    url: '/auth/login',
    auth: 'public',
    tag: 'auth',
    summary: 'Log in; returns a JWT',
    body: loginBody,
    handler: handleLogin,
  }),
  route({
    method: 'POST',
    url: '/admin/auth/login',
    auth: 'public',
    tag: 'auth',
    summary: 'Log in (the original path)',
    body: loginBody,
    handler: handleLogin,
  }),
  route({
    method: 'GET',
    url: '/auth/me',
    auth: 'user',
    tag: 'auth',
    summary: 'The caller, with balance',
    handler: async ({ deps, principal }) => {
      const row = await deps.db.db
        .selectFrom('users')
        .select(['quota_nano', 'used_nano', 'display_name'])
        .where('username', '=', principal.username)
        .executeTakeFirst()
      return {
        username: principal.username,
        role: principal.role,
        display_name: row?.display_name ?? null,
        quota_usd: row ? nanoToUsd(toBigOrNull(row.quota_nano)) : null,
        used_usd: row ? nanoToUsd(toBig(row.used_nano)) : 0,
      }
    },
  }),
  route({
    method: 'GET',
    url: '/auth/my-status',
    auth: 'user',
    tag: 'auth',
    summary: 'Balance, visible groups and each rate-limit rule with its current use',
    handler: async ({ deps, principal }) => getMyStatus(deps, principal),
  }),
]
