import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The dashboard's session lives in this cookie: HttpOnly (script, and so an injected script, cannot read it),
 * SameSite=Strict (never sent with a request started by another site), Secure whenever the request came over
 * https (directly, or through a trusted proxy that says so). See the README, "Logins and sessions".
 */
export const SESSION_COOKIE = 'ag_session'

/** One cookie's value from a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue
    const value = part.slice(eq + 1).trim()
    return value || undefined
  }
  return undefined
}

function attributes(req: FastifyRequest, maxAgeSec: number): string {
  const secure = req.protocol === 'https' ? '; Secure' : ''
  return `Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSec}${secure}`
}

export function setSessionCookie(
  req: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxAgeSec: number,
): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=${token}; ${attributes(req, maxAgeSec)}`)
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=; ${attributes(req, 0)}`)
}
