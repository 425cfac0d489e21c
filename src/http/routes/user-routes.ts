import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { createKeyBody, updateKeyBody } from '../../contracts/keys.ts'
import { redeemVoucherBody } from '../../contracts/billing.ts'
import { param, route } from '../define-route.ts'
import { listPage } from '../../services/paging.ts'
import {
  createKey,
  deleteKey,
  getOwnedKey,
  listKeys,
  serializeKey,
  updateKey,
} from '../../services/keys/key-service.ts'
import { listUserGroups } from '../../services/groups/group-service.ts'
import { listReachableModels } from '../../services/channels/list-reachable-models.ts'
import { redeemVoucher } from '../../services/billing/voucher-service.ts'
import { serviceDeps } from '../app-deps.ts'
import { freezeKeyRoute } from './freeze-key-route.ts'
import { groupView, listOf, redeemedVoucher, keyView } from '../../contracts/responses.ts'
import { balanceHistoryEntry, passwordChanged } from '../../contracts/balance.ts'
import { changePasswordBody } from '../../contracts/users.ts'
import { listBalanceHistory } from '../../services/billing/list-balance-history.ts'
import { applyOwnPasswordChange, checkOwnPasswordChange } from '../../services/auth/change-own-password.ts'
import { issueSession } from '../issue-session.ts'

const listQuery = pageQuery.extend({ q: z.string().max(200).optional() })

export const userRoutes = [
  route({
    method: 'GET',
    url: '/user/tokens',
    response: listOf(keyView),
    auth: 'user',
    tag: 'user',
    summary: "The caller's API keys (never their plaintext)",
    query: listQuery,
    handler: ({ deps, principal, query }) =>
      listPage(query, 100, (page) =>
        listKeys(serviceDeps(deps), { username: principal.username, q: query.q }, page),
      ),
  }),
  route({
    method: 'POST',
    url: '/user/tokens',
    response: keyView,
    auth: 'user',
    tag: 'user',
    summary: 'Create an API key; the plaintext `key` is returned in this response only',
    body: createKeyBody,
    status: 201,
    handler: ({ deps, principal, body }) =>
      createKey(serviceDeps(deps), principal.username, principal.role, body),
  }),
  route({
    method: 'GET',
    url: '/user/tokens/:id',
    response: keyView,
    auth: 'user',
    tag: 'user',
    summary: 'One of your keys',
    handler: async ({ deps, principal, params }) =>
      serializeKey(await getOwnedKey(serviceDeps(deps), params.id, principal.username)),
  }),
  route({
    method: 'PATCH',
    url: '/user/tokens/:id',
    response: keyView,
    auth: 'user',
    tag: 'user',
    summary: 'Change name, quota, expiry, limits or group of one of your keys',
    body: updateKeyBody,
    handler: ({ deps, principal, params, body }) =>
      updateKey(serviceDeps(deps), params.id, principal.username, principal.role, body),
    invalidates: { keys: param('id') },
  }),
  route({
    method: 'DELETE',
    url: '/user/tokens/:id',
    auth: 'user',
    tag: 'user',
    summary: 'Delete one of your keys',
    status: 204,
    handler: ({ deps, principal, params }) => deleteKey(serviceDeps(deps), params.id, principal.username),
    invalidates: { keys: param('id') },
  }),
  freezeKeyRoute('user', 'POST', 'Freeze one of your keys (or set `frozen` explicitly)', true),
  freezeKeyRoute(
    'user',
    'PATCH',
    'Unfreeze one of your keys (not one an administrator froze: 403 key_frozen_by_admin)',
    false,
  ),
  route({
    method: 'GET',
    url: '/user/groups',
    response: listOf(groupView),
    auth: 'user',
    tag: 'user',
    summary: 'Groups the caller can see (memberships and all-visible groups)',
    handler: async ({ deps, principal }) => {
      const groups = await listUserGroups(serviceDeps(deps), principal.username, false)
      return { data: groups, total: groups.length }
    },
  }),
  route({
    method: 'GET',
    url: '/user/models',
    response: listOf(z.string()),
    auth: 'user',
    tag: 'user',
    summary: 'Model names the caller can call (enabled channels of the groups they see)',
    handler: async ({ deps, principal }) => {
      const models = await listReachableModels(deps.db.db, principal.username)
      return { data: models, total: models.length }
    },
  }),
  route({
    method: 'POST',
    url: '/user/vouchers/redeem',
    response: redeemedVoucher,
    auth: 'user',
    tag: 'user',
    summary: 'Redeem a voucher code into your balance',
    body: redeemVoucherBody,
    handler: ({ deps, principal, body }) => redeemVoucher(serviceDeps(deps), principal.username, body.code),
    invalidates: { users: (_, { principal }) => principal.username },
  }),
  route({
    method: 'GET',
    url: '/user/balance-history',
    response: listOf(balanceHistoryEntry),
    auth: 'user',
    tag: 'user',
    summary: 'Your balance changes from the ledger (usage, vouchers, top-ups), newest first',
    query: pageQuery,
    handler: ({ deps, principal, query }) => listBalanceHistory(deps.db.db, principal.username, query),
  }),
  route({
    method: 'POST',
    url: '/user/password',
    response: passwordChanged,
    auth: 'user',
    tag: 'user',
    summary: 'Change your own password (local accounts): ends your other sessions and re-issues this one',
    body: changePasswordBody,
    prepare: ({ deps, principal, ip, body }) =>
      checkOwnPasswordChange(
        { db: deps.db.db, throttle: deps.loginThrottle, logger: deps.logger },
        principal.username,
        ip,
        body,
      ),
    change: ({ deps, principal, prepared }, db) =>
      applyOwnPasswordChange(db, deps.clock, principal.username, prepared),
    audit: {
      action: 'user.change_password',
      target: (_, { principal }) => principal.username,
      summary: () => ({ self: true, sessions_ended: true }),
    },
    invalidates: { users: (_, { principal }) => principal.username },
    reply: async (r, { deps, principal, req, reply }) => {
      const session = await issueSession(deps, req, reply, {
        kind: 'user',
        userId: r.userId,
        username: principal.username,
        sessionVersion: r.sessionVersion,
      })
      return { ok: true, ...(session.access_token ? { access_token: session.access_token } : {}) }
    },
  }),
]
