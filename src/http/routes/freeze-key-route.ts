import { freezeBody } from '../../contracts/keys.ts'
import { keyView } from '../../contracts/responses.ts'
import { setKeyFrozen } from '../../services/keys/key-service.ts'
import { serviceDeps } from '../app-deps.ts'
import { param, route } from '../define-route.ts'

const byId = param('id')

/**
 * Freezing or unfreezing a key, by its owner (`/user/tokens/:id/freeze`) or by an admin (`/admin/tokens/:id/freeze`,
 * any user's key). An admin's freeze is recorded as theirs and audited, and its owner cannot lift it (403
 * key_frozen_by_admin); the owner lifts only their own.
 */
export function freezeKeyRoute(
  side: 'user' | 'admin',
  method: 'POST' | 'PATCH',
  summary: string,
  frozenByDefault: boolean,
) {
  const admin = side === 'admin'
  return route({
    method,
    url: `/${side}/tokens/:id/freeze`,
    response: keyView,
    auth: side,
    tag: side,
    summary,
    body: freezeBody,
    change: ({ deps, params, principal, body }, db) =>
      setKeyFrozen(
        { ...serviceDeps(deps), db },
        params.id,
        { username: principal.username, admin },
        body?.frozen ?? frozenByDefault,
      ),
    audit: admin
      ? {
          action: frozenByDefault ? 'token.freeze' : 'token.unfreeze',
          target: byId,
          summary: (t) => ({ owner: t.username, name: t.name }),
        }
      : undefined,
    invalidates: { keys: byId },
  })
}
