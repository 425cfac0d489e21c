import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { AppError } from '../domain/errors.ts'
import type { Database } from '../infra/db/database-types.ts'
import type { AppDeps } from './app-deps.ts'
import type { AuthLevel, Principal } from './principal.ts'

export interface RouteContext<B, Q, P> {
  deps: AppDeps
  req: FastifyRequest
  reply: FastifyReply
  principal: P extends 'public' ? Principal | undefined : Principal
  body: B
  query: Q
  params: Record<string, string>
  ip: string
}

/** The proxy's caches a change can make stale (`AppDeps.invalidate`). */
export type CacheKind = Parameters<AppDeps['invalidate']>[0]

/**
 * Caches to drop once the change has committed: `true` drops the whole cache, a function names the one entry
 * (from the change's result and the request), returning undefined to drop the whole cache.
 */
export type Invalidates<C, Ctx> = Partial<
  Record<CacheKind, true | ((changed: C, ctx: Ctx) => string | null | undefined)>
>

/** The admin audit row written in the change's own transaction (docs/security.md, "Admin audit"). */
export interface AuditSpec<C, Ctx> {
  /** `noun.verb`, e.g. `user.update`; a function when the request decides it (enable or disable). */
  action: string | ((changed: C, ctx: Ctx) => string)
  target?: (changed: C, ctx: Ctx) => string | null | undefined
  /** What changed, never a secret (secret-looking fields are redacted anyway). */
  summary?: (changed: C, ctx: Ctx) => unknown
}

interface RouteBase<B, Q, A extends AuthLevel> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  auth: A
  summary: string
  tag: string
  body?: z.ZodType<B>
  query?: z.ZodType<Q>
  /** Status of a successful answer; 204 sends no body. */
  status?: number
  /**
   * Shape of a successful answer (from `src/contracts/`): documented in /openapi.json and the dashboard's types.
   * Not used to serialize (which would drop fields it does not list); tests validate answers against it.
   */
  response?: z.ZodType
}

/** A route that reads, or does its own writing. */
export interface HandlerRoute<B, Q, A extends AuthLevel> extends RouteBase<B, Q, A> {
  handler: (ctx: RouteContext<B, Q, A>) => Promise<unknown>
  /** Caches to drop after the handler succeeded; functions get the handler's answer. */
  invalidates?: Invalidates<unknown, RouteContext<B, Q, A>>
  change?: never
  audit?: never
}

export type ChangeContext<B, Q, A, P> = RouteContext<B, Q, A> & { prepared: P }

/**
 * A route that changes state, declared as data: `prepare` (optional) does the work that must stay outside the
 * transaction (hashing a password, calling a provider, checking an address), `change` writes on the database it
 * is given, the `audit` row is written in that same transaction, then the `invalidates` caches are dropped and
 * `reply` (default: the change's result) is sent.
 */
export interface ChangeRoute<B, Q, A extends AuthLevel, P, C> extends RouteBase<B, Q, A> {
  prepare?: (ctx: RouteContext<B, Q, A>) => Promise<P>
  change: (ctx: ChangeContext<B, Q, A, P>, db: Kysely<Database>) => Promise<C>
  audit?: AuditSpec<C, ChangeContext<B, Q, A, P>>
  invalidates?: Invalidates<C, ChangeContext<B, Q, A, P>>
  reply?: (changed: C, ctx: ChangeContext<B, Q, A, P>) => unknown
  handler?: never
}

export type RouteDef<B = unknown, Q = unknown, A extends AuthLevel = AuthLevel> =
  HandlerRoute<B, Q, A> | ChangeRoute<B, Q, A, unknown, unknown>

/** Keeps the generic parameters of each route while collecting them in one list. */
export function route<B = undefined, Q = Record<string, never>, A extends AuthLevel = AuthLevel>(
  def: HandlerRoute<B, Q, A>,
): RouteDef<unknown, unknown, AuthLevel>
export function route<
  B = undefined,
  Q = Record<string, never>,
  A extends AuthLevel = AuthLevel,
  P = undefined,
  C = unknown,
>(def: ChangeRoute<B, Q, A, P, C>): RouteDef<unknown, unknown, AuthLevel>
export function route(def: unknown): RouteDef<unknown, unknown, AuthLevel> {
  return def as RouteDef<unknown, unknown, AuthLevel>
}

function describeIssues(error: z.ZodError): {
  message: string
  fields: { field: string; message: string }[]
} {
  const fields = error.issues.map((i) => {
    const field = i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(',') : '(body)')
    const message =
      i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : `${field}: ${i.message}`
    return { field, message }
  })
  return { message: fields.map((f) => f.message).join('; '), fields }
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const result = schema.safeParse(value)
  if (!result.success) {
    const { message, fields } = describeIssues(result.error)
    throw new AppError('validation_error', `Invalid ${where}: ${message}`, { fields })
  }
  return result.data
}

/** An audit target or cache id read from a path parameter: `invalidates: { keys: param('id') }`. */
export const param =
  (name: string) =>
  (_changed: unknown, ctx: { params: Record<string, string> }): string | undefined =>
    ctx.params[name]
