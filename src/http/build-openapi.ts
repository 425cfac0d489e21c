import { z } from 'zod'
import type { RouteDef } from './define-route.ts'
import { errorResponse } from '../contracts/responses.ts'

function toJsonSchema(schema: z.ZodType | undefined, io: 'input' | 'output' = 'input'): unknown {
  if (!schema) return undefined
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' })
  } catch {
    return { type: 'object' }
  }
}

/** The documented success: 204 has no body; CSV exports are text; everything else is JSON of the route's schema. */
function success(status: number, schema: z.ZodType | undefined) {
  if (status === 204) return { description: 'No content' }
  if (!schema) return { description: 'OK' }
  const json = toJsonSchema(schema, 'output')
  const csv = schema.description === 'text/csv'
  return { description: 'OK', content: { [csv ? 'text/csv' : 'application/json']: { schema: json } } }
}

/** OpenAPI 3.1, generated from the same zod schemas that validate requests, so it cannot drift. */
export function buildOpenApi(routes: RouteDef[], version: string) {
  const errorSchema = toJsonSchema(errorResponse, 'output')
  const paths: Record<string, Record<string, unknown>> = {}
  for (const r of routes) {
    const path = r.url.replace(/:([A-Za-z_]+)/g, '{$1}')
    const params = [...r.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }))
    const status = r.status ?? 200
    paths[path] ??= {}
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      parameters: params.length ? params : undefined,
      security:
        r.auth === 'public' ? [] : r.auth === 'admin' ? [{ bearer: [] }, { adminKey: [] }] : [{ bearer: [] }],
      'x-auth': r.auth,
      requestBody: r.body
        ? { required: true, content: { 'application/json': { schema: toJsonSchema(r.body) } } }
        : undefined,
      responses: {
        [String(status)]: success(status, r.response),
        default: {
          description: 'Refused: a stable code from the error registry and a message',
          content: { 'application/json': { schema: errorSchema } },
        },
      },
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Any Gateway admin and user API', version },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        adminKey: { type: 'apiKey', in: 'header', name: 'x-admin-key' },
      },
    },
    paths,
  }
}
