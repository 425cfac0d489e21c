import { loginBody } from '../../contracts/auth.ts'
import { route } from '../define-route.ts'
import { login } from '../../services/auth/login.ts'
import { breakGlassKeyTag, type SessionClaims } from '../../infra/crypto/jwt.ts'
import { getMyStatus } from '../../services/users/my-status.ts'
import { nanoToUsd, toBig, toBigOrNull } from '../../infra/db/convert-row-values.ts'
import type { RouteContext } from '../define-route.ts'
import type { LoginBody } from '../../contracts/auth.ts'
import { clearSessionCookie } from '../session-cookie.ts'
import { issueSession } from '../issue-session.ts'
import { loginResponse, meResponse, myStatus } from '../../contracts/responses.ts'

/**
 * Two kinds of callers: API clients get the JWT in the body (and send it as `Authorization: Bearer`); the
 * dashboard, which says so with its header, gets it only as an HttpOnly cookie, so no script on the page ever
 * sees it (README, "Logins and sessions").
 */
async function handleLogin({ deps, body, ip, req, reply }: RouteContext<LoginBody, unknown, 'public'>) {
  const result = await login(
    {
      db: deps.db.db,
      clock: deps.clock,
      fallbackKey: deps.config.ADMIN_FALLBACK_KEY,
      ldap: deps.ldap,
      throttle: deps.loginThrottle,
      logger: deps.logger,
    },
    body.username,
    body.password,
    ip,
  )
  let claims: SessionClaims
  if (result.source === 'fallback') {
    // Break-glass use always leaves a trace an operator will see: a warning in the log and an audit row.
    deps.logger.warn({ ip }, 'break-glass fallback login used')
    await deps.audit({ actor: result.username, action: 'auth.fallback_login', ip })
    claims = { kind: 'break-glass', keyTag: breakGlassKeyTag(deps.config.ADMIN_FALLBACK_KEY ?? '') }
  } else {
    claims = {
      kind: 'user',
      userId: result.userId,
      username: result.username,
      sessionVersion: result.sessionVersion,
    }
  }
  const session = await issueSession(deps, req, reply, claims)
  return { ...session, token_type: 'bearer', role: result.role, username: result.username }
}

export const authRoutes = [
  route({
    method: 'POST',
    url: '/auth/login',
    response: loginResponse,
    auth: 'public',
    tag: 'auth',
    summary: 'Log in; returns a JWT',
    body: loginBody,
    handler: handleLogin,
  }),
  route({
    method: 'POST',
    url: '/admin/auth/login',
    response: loginResponse,
    auth: 'public',
    tag: 'auth',
    summary: 'Log in (the original path)',
    body: loginBody,
    handler: handleLogin,
  }),
  route({
    method: 'POST',
    url: '/auth/logout',
    auth: 'public',
    tag: 'auth',
    summary: 'Log out of the dashboard: clears the session cookie (a bearer token simply stops being sent)',
    status: 204,
    handler: async ({ req, reply }) => {
      clearSessionCookie(req, reply)
      void reply.header('cache-control', 'no-store')
    },
  }),
  route({
    method: 'GET',
    url: '/auth/me',
    response: meResponse,
    auth: 'user',
    tag: 'auth',
    summary: 'The caller, with balance',
    handler: async ({ deps, principal }) => {
      const row = await deps.db.db
        .selectFrom('users')
        .select(['quota_nano', 'used_nano', 'display_name', 'auth_source'])
        .where('username', '=', principal.username)
        .executeTakeFirst()
      return {
        username: principal.username,
        role: principal.role,
        display_name: row?.display_name ?? null,
        auth_source: row?.auth_source ?? null,
        quota_usd: row ? nanoToUsd(toBigOrNull(row.quota_nano)) : null,
        used_usd: row ? nanoToUsd(toBig(row.used_nano)) : 0,
      }
    },
  }),
  route({
    method: 'GET',
    url: '/auth/my-status',
    response: myStatus,
    auth: 'user',
    tag: 'auth',
    summary: 'Balance, visible groups and each rate-limit rule with its current use',
    handler: async ({ deps, principal }) => getMyStatus(deps, principal),
  }),
]
