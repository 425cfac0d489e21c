import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { createUserBody, promoteBody, setRoleBody, updateUserBody } from '../../contracts/users.ts'
import { param, route, type RouteDef } from '../define-route.ts'
import { listPage, whole } from '../../services/paging.ts'
import {
  addMembership,
  createLocalUser,
  deleteUser,
  getUserRow,
  hashGivenPassword,
  listMemberships,
  listUsers,
  removeMembership,
  serializeUser,
  setUserRole,
  updateUser,
} from '../../services/users/user-service.ts'
import { serviceDeps } from '../app-deps.ts'
import type { Role } from '../../contracts/users.ts'
import { linkResult, listOf, membership, userView } from '../../contracts/responses.ts'
import { topUpBody } from '../../contracts/billing.ts'
import { balanceHistoryEntry, topUpResult } from '../../contracts/balance.ts'
import { topUpBalance } from '../../services/billing/top-up-balance.ts'
import { listBalanceHistory } from '../../services/billing/list-balance-history.ts'

type Params = { params: Record<string, string> }
const byUsername = param('username')

/** A membership change is audited on the user and drops the group's cached routing. */
const membershipChange = (action: string) => ({
  audit: {
    action,
    target: byUsername,
    summary: (_: unknown, { params }: Params) => ({ group_id: params.group_id }),
  },
  invalidates: { groups: param('group_id') },
})

function membershipRoutes(prefix: string) {
  return [
    route({
      method: 'GET',
      url: `${prefix}/:username/groups`,
      response: listOf(membership),
      auth: 'admin',
      tag: 'users',
      summary: "The user's group memberships",
      handler: async ({ deps, params }) => whole(await listMemberships(serviceDeps(deps), params.username)),
    }),
    route({
      method: 'POST',
      url: `${prefix}/:username/groups/:group_id`,
      response: linkResult,
      auth: 'admin',
      tag: 'users',
      summary: 'Add the user to a group (idempotent)',
      change: ({ deps, params }, db) =>
        addMembership({ ...serviceDeps(deps), db }, params.username, params.group_id),
      ...membershipChange('user.add_group'),
    }),
    route({
      method: 'DELETE',
      url: `${prefix}/:username/groups/:group_id`,
      auth: 'admin',
      tag: 'users',
      summary: 'Remove the user from a group',
      status: 204,
      change: ({ deps, params }, db) =>
        removeMembership({ ...serviceDeps(deps), db }, params.username, params.group_id),
      ...membershipChange('user.remove_group'),
    }),
  ]
}

/** The role routes differ only in where the username comes from (the path, or the original's body). */
function roleRoute<B extends { role: Role }>(
  method: 'PUT' | 'PATCH' | 'POST',
  url: string,
  summary: string,
  body: z.ZodType<B>,
  who: (ctx: { params: Record<string, string>; body: B }) => string,
) {
  return route({
    method,
    url,
    response: userView,
    auth: 'superadmin',
    tag: 'users',
    summary,
    body,
    change: (ctx, db) =>
      setUserRole({ ...serviceDeps(ctx.deps), db }, ctx.principal, who(ctx), ctx.body.role),
    audit: {
      action: 'user.set_role',
      target: (_, ctx) => who(ctx),
      summary: (r, { body }) => ({ from: r.before.role, to: body.role }),
    },
    invalidates: { users: (_, ctx) => who(ctx) },
    reply: (r) => r.after,
  })
}

export const adminUserRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/admin/users',
    response: listOf(userView),
    auth: 'admin',
    tag: 'users',
    summary: 'Users (local and LDAP), with role and balance',
    query: pageQuery.extend({ q: z.string().max(200).optional() }),
    handler: ({ deps, query }) =>
      listPage(query, 50, (page) => listUsers(serviceDeps(deps), { q: query.q }, page)),
  }),
  route({
    method: 'GET',
    url: '/admin/users-list',
    response: listOf(userView),
    auth: 'admin',
    tag: 'users',
    summary: 'Alias of the original: every known user',
    query: pageQuery,
    handler: ({ deps, query }) => listPage(query, 1000, (page) => listUsers(serviceDeps(deps), {}, page)),
  }),
  route({
    method: 'POST',
    url: '/admin/users',
    response: userView,
    auth: 'admin',
    tag: 'users',
    summary: 'Create a local user (only a superadmin may give a role above user)',
    body: createUserBody,
    status: 201,
    prepare: ({ body }) => hashGivenPassword(body.password),
    change: ({ deps, principal, body, prepared }, db) =>
      createLocalUser({ ...serviceDeps(deps), db }, principal.role, body, prepared),
    audit: {
      action: 'user.create',
      target: (u) => u.username,
      summary: (u) => ({ role: u.role, quota_usd: u.quota_usd }),
    },
  }),
  route({
    method: 'GET',
    url: '/admin/users/:username',
    response: userView,
    auth: 'admin',
    tag: 'users',
    summary: 'One user',
    handler: async ({ deps, params }) => serializeUser(await getUserRow(serviceDeps(deps), params.username)),
  }),
  route({
    method: 'PATCH',
    url: '/admin/users/:username',
    response: userView,
    auth: 'admin',
    tag: 'users',
    summary: 'Set balance (null = unlimited), disable, rename, reset a local password',
    body: updateUserBody,
    prepare: ({ body }) => hashGivenPassword(body.password),
    change: ({ deps, principal, params, body, prepared }, db) =>
      updateUser({ ...serviceDeps(deps), db }, principal, params.username, body, prepared),
    audit: {
      action: 'user.update',
      target: byUsername,
      summary: (r, { body }) => ({
        changed: Object.keys(body),
        quota_usd: [r.before.quota_usd, r.after.quota_usd],
        disabled: r.after.disabled,
        role: r.after.role,
      }),
    },
    invalidates: { users: byUsername },
    reply: (r) => r.after,
  }),
  route({
    method: 'DELETE',
    url: '/admin/users/:username',
    auth: 'admin',
    tag: 'users',
    summary: 'Delete a user and their keys (the last superadmin cannot be deleted)',
    status: 204,
    change: ({ deps, principal, params }, db) =>
      deleteUser({ ...serviceDeps(deps), db }, principal, params.username),
    audit: { action: 'user.delete', target: byUsername, summary: (row) => ({ role: row.role }) },
    invalidates: { users: byUsername, keys: true },
  }),
  roleRoute(
    'PUT',
    '/admin/users/:username/role',
    "Set a user's role (superadmin only; the last superadmin is protected)",
    setRoleBody,
    ({ params }) => params.username,
  ),
  roleRoute(
    'PATCH',
    '/admin/users/:username/role',
    'Same as PUT',
    setRoleBody,
    ({ params }) => params.username,
  ),
  roleRoute(
    'POST',
    '/admin/users/promote',
    'Alias of the original: set a role by username',
    promoteBody,
    ({ body }) => body.username,
  ),
  route({
    method: 'POST',
    url: '/admin/users/:username/top-up',
    response: topUpResult,
    auth: 'admin',
    tag: 'users',
    summary: "Add to a user's balance (never sets it), with a note kept in the balance history",
    body: topUpBody,
    change: ({ deps, principal, params, body }, db) =>
      topUpBalance({ ...serviceDeps(deps), db }, principal.role, params.username, body),
    audit: {
      action: 'user.top_up',
      target: byUsername,
      summary: (r) => ({ amount_usd: r.amount_usd, balance_usd: r.balance_usd, note: r.note }),
    },
    invalidates: { users: byUsername },
  }),
  route({
    method: 'GET',
    url: '/admin/users/:username/balance-history',
    response: listOf(balanceHistoryEntry),
    auth: 'admin',
    tag: 'users',
    summary: "A user's balance changes from the ledger, newest first",
    query: pageQuery,
    handler: async ({ deps, params, query }) => {
      await getUserRow(serviceDeps(deps), params.username)
      return listBalanceHistory(deps.db.db, params.username, query)
    },
  }),
  ...membershipRoutes('/admin/users'),
  ...membershipRoutes('/admin/users-list'),
]
