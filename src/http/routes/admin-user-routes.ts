import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import { createUserBody, promoteBody, setRoleBody, updateUserBody } from '../../contracts/users.ts'
import { route, type RouteDef } from '../define-route.ts'
import { paged, resolvePage } from '../../services/paging.ts'
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
import type { AppDeps } from '../app-deps.ts'

const userDeps = (deps: AppDeps) => ({ db: deps.db.db, clock: deps.clock })

function membershipRoutes(prefix: string) {
  return [
    route({
      method: 'GET',
      url: `${prefix}/:username/groups`,
      auth: 'admin',
      tag: 'users',
      summary: "The user's group memberships",
      handler: async ({ deps, params }) => {
        const data = await listMemberships(userDeps(deps), params.username)
        return { data, total: data.length }
      },
    }),
    route({
      method: 'POST',
      url: `${prefix}/:username/groups/:group_id`,
      auth: 'admin',
      tag: 'users',
      summary: 'Add the user to a group (idempotent)',
      handler: async ({ deps, params, principal, ip }) => {
        const r = await deps.audit.change(
          (db) => addMembership({ ...userDeps(deps), db }, params.username, params.group_id),
          () => ({
            actor: principal.username,
            action: 'user.add_group',
            target: params.username,
            summary: { group_id: params.group_id },
            ip,
          }),
        )
        deps.invalidate('groups', params.group_id)
        return r
      },
    }),
    route({
      method: 'DELETE',
      url: `${prefix}/:username/groups/:group_id`,
      auth: 'admin',
      tag: 'users',
      summary: 'Remove the user from a group',
      status: 204,
      handler: async ({ deps, params, principal, ip }) => {
        await deps.audit.change(
          (db) => removeMembership({ ...userDeps(deps), db }, params.username, params.group_id),
          () => ({
            actor: principal.username,
            action: 'user.remove_group',
            target: params.username,
            summary: { group_id: params.group_id },
            ip,
          }),
        )
        deps.invalidate('groups', params.group_id)
      },
    }),
  ]
}

async function changeRole(
  deps: AppDeps,
  actor: string,
  username: string,
  role: 'user' | 'admin' | 'superadmin',
  ip: string,
) {
  const r = await deps.audit.change(
    (db) => setUserRole({ ...userDeps(deps), db }, { username: actor }, username, role),
    (r) => ({
      actor,
      action: 'user.set_role',
      target: username,
      summary: { from: r.before.role, to: role },
      ip,
    }),
  )
  deps.users.invalidate(username)
  deps.invalidate('users', username)
  return r.after
}

export const adminUserRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/admin/users',
    auth: 'admin',
    tag: 'users',
    summary: 'Users (local and LDAP), with role and balance',
    query: pageQuery.extend({ q: z.string().max(200).optional() }),
    handler: async ({ deps, query }) => {
      const page = resolvePage(query, 50)
      const r = await listUsers(userDeps(deps), { q: query.q }, page)
      return paged(r.data, r.total, page)
    },
  }),
  route({
    method: 'GET',
    url: '/admin/users-list',
    auth: 'admin',
    tag: 'users',
    summary: 'Alias of the original: every known user',
    query: pageQuery,
    handler: async ({ deps, query }) => {
      const page = resolvePage(query, 1000)
      const r = await listUsers(userDeps(deps), {}, page)
      return paged(r.data, r.total, page)
    },
  }),
  route({
    method: 'POST',
    url: '/admin/users',
    auth: 'admin',
    tag: 'users',
    summary: 'Create a local user (only a superadmin may give a role above user)',
    body: createUserBody,
    status: 201,
    handler: async ({ deps, body, principal, ip }) => {
      const hash = await hashGivenPassword(body.password)
      return deps.audit.change(
        (db) => createLocalUser({ ...userDeps(deps), db }, principal.role, body, hash),
        (u) => ({
          actor: principal.username,
          action: 'user.create',
          target: u.username,
          summary: { role: u.role, quota_usd: u.quota_usd },
          ip,
        }),
      )
    },
  }),
  route({
    method: 'GET',
    url: '/admin/users/:username',
    auth: 'admin',
    tag: 'users',
    summary: 'One user',
    handler: async ({ deps, params }) => serializeUser(await getUserRow(userDeps(deps), params.username)),
  }),
  route({
    method: 'PATCH',
    url: '/admin/users/:username',
    auth: 'admin',
    tag: 'users',
    summary: 'Set balance (null = unlimited), disable, rename, reset a local password',
    body: updateUserBody,
    handler: async ({ deps, body, params, principal, ip }) => {
      const hash = await hashGivenPassword(body.password)
      const r = await deps.audit.change(
        (db) => updateUser({ ...userDeps(deps), db }, principal, params.username, body, hash),
        (r) => ({
          actor: principal.username,
          action: 'user.update',
          target: params.username,
          summary: {
            changed: Object.keys(body),
            quota_usd: [r.before.quota_usd, r.after.quota_usd],
            disabled: r.after.disabled,
            role: r.after.role,
          },
          ip,
        }),
      )
      deps.users.invalidate(params.username)
      deps.invalidate('users', params.username)
      return r.after
    },
  }),
  route({
    method: 'DELETE',
    url: '/admin/users/:username',
    auth: 'admin',
    tag: 'users',
    summary: 'Delete a user and their keys (the last superadmin cannot be deleted)',
    status: 204,
    handler: async ({ deps, params, principal, ip }) => {
      await deps.audit.change(
        (db) => deleteUser({ ...userDeps(deps), db }, principal, params.username),
        (row) => ({
          actor: principal.username,
          action: 'user.delete',
          target: params.username,
          summary: { role: row.role },
          ip,
        }),
      )
      deps.users.invalidate(params.username)
      deps.invalidate('users', params.username)
      deps.invalidate('tokens')
    },
  }),
  route({
    method: 'PUT',
    url: '/admin/users/:username/role',
    auth: 'superadmin',
    tag: 'users',
    summary: "Set a user's role (superadmin only; the last superadmin is protected)",
    body: setRoleBody,
    handler: async ({ deps, body, params, principal, ip }) =>
      changeRole(deps, principal.username, params.username, body.role, ip),
  }),
  route({
    method: 'PATCH',
    url: '/admin/users/:username/role',
    auth: 'superadmin',
    tag: 'users',
    summary: 'Same as PUT',
    body: setRoleBody,
    handler: async ({ deps, body, params, principal, ip }) =>
      changeRole(deps, principal.username, params.username, body.role, ip),
  }),
  route({
    method: 'POST',
    url: '/admin/users/promote',
    auth: 'superadmin',
    tag: 'users',
    summary: 'Alias of the original: set a role by username',
    body: promoteBody,
    handler: async ({ deps, body, principal, ip }) =>
      changeRole(deps, principal.username, body.username, body.role, ip),
  }),
  ...membershipRoutes('/admin/users'),
  ...membershipRoutes('/admin/users-list'),
]
