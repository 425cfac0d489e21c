import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AppError } from '../domain/errors.ts'
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

export interface RouteDef<B = unknown, Q = unknown, A extends AuthLevel = AuthLevel> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  auth: A
  summary: string
  tag: string
  body?: z.ZodType<B>
  query?: z.ZodType<Q>
  /** Status of a successful answer; 204 sends no body. */
  status?: number
  handler: (ctx: RouteContext<B, Q, A>) => Promise<unknown>
}

/** Keeps the generic parameters of each route while collecting them in one list. */
export function route<B = undefined, Q = Record<string, never>, A extends AuthLevel = AuthLevel>(
  def: RouteDef<B, Q, A>,
): RouteDef<unknown, unknown, AuthLevel> {
  return def as unknown as RouteDef<unknown, unknown, AuthLevel>
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
