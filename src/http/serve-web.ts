import { existsSync } from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fastifyStatic from '@fastify/static'

const API_PREFIXES = ['/admin/', '/user/', '/auth/', '/v1/', '/v1beta/', '/public/', '/api/']

/**
 * The dashboard's Content-Security-Policy: scripts, style sheets, fonts and fetches from this origin only, no
 * plugins, no framing, no `<base>` or form posts elsewhere. Inline style *attributes* stay allowed (Arco sizes
 * text areas and positions popups with them; they cannot run script; without them the chat page breaks), while
 * `style-src-elem` keeps `<style>` elements and foreign style sheets out in browsers that know it; inline and
 * injected scripts never run. `data:` images cover the inline favicon and Arco's icons. See the README, "Logins and sessions".
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "style-src-elem 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Sent with the dashboard's page and every asset: no framing (clickjacking), no MIME sniffing, no referrer. */
export const DASHBOARD_HEADERS: Record<string, string> = {
  'content-security-policy': DASHBOARD_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
}

/**
 * The dashboard: hashed assets are cached for a year, `index.html` never, and every other GET that is not an
 * API path gets `index.html` so deep links work.
 */
export async function serveWeb(app: FastifyInstance, distDir: string): Promise<boolean> {
  const indexFile = path.join(distDir, 'index.html')
  if (!existsSync(indexFile)) {
    app.log.warn({ distDir }, 'dashboard build not found; run `npm run build:web`')
    return false
  }
  await app.register(fastifyStatic, {
    root: distDir,
    wildcard: false,
    index: false,
    // `npm run build:web` writes .br and .gz beside each asset (web/build/precompress.ts): sent by the request's
    // Accept-Encoding, with `Vary: accept-encoding`; the plain file otherwise.
    preCompressed: true,
    setHeaders: (res, file) => {
      void res.headers(DASHBOARD_HEADERS)
      if (file.includes(`${path.sep}assets${path.sep}`))
        void res.header('cache-control', 'public, max-age=31536000, immutable')
      else void res.header('cache-control', 'no-cache')
    },
  })
  app.get('/', (_req, reply) => sendIndex(reply))
  return true
}

export function sendIndex(reply: FastifyReply) {
  return reply
    .headers(DASHBOARD_HEADERS)
    .header('cache-control', 'no-cache')
    .type('text/html; charset=utf-8')
    .sendFile('index.html')
}

/** Unknown GETs outside the API get the dashboard (deep links); everything else a JSON 404. */
export function isDashboardPath(method: string, url: string): boolean {
  const p = url.split('?')[0]
  const isApi =
    API_PREFIXES.some((prefix) => p.startsWith(prefix)) ||
    p === '/health' ||
    p === '/ready' ||
    p === '/metrics'
  return method === 'GET' && !isApi && !path.extname(p)
}
