import { readdirSync, readFileSync, existsSync } from 'node:fs'
import http from 'node:http'
import net, { type AddressInfo } from 'node:net'
import path from 'node:path'
import { brotliDecompressSync } from 'node:zlib'
import type { Kysely } from 'kysely'
import type { Database } from '../../src/infra/db/database-types.ts'

/** Helpers shared by the catalogue suites in test/hardening (see docs/security.md). */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export interface RawAnswer {
  /** 0 when the server closed without answering. */
  status: number
  text: string
}

/**
 * Sends bytes exactly as given over a new socket (for requests an HTTP client refuses to build: NUL bytes,
 * raw UTF-8 in headers, odd request targets) and returns the first answer's status and all bytes received.
 */
export function rawRequest(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    socket.on('data', (d: Buffer) => {
      chunks.push(d)
      // One answer is enough: stop once a complete head and its declared body have arrived.
      const text = Buffer.concat(chunks).toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return
      const len = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))
      if (len && text.length - end - 4 >= Number(len[1])) socket.end()
    })
    socket.on('close', () => {
      clearTimeout(timer)
      const text = Buffer.concat(chunks).toString('latin1')
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text)
      resolve({ status: m ? Number(m[1]) : 0, text })
    })
    socket.on('error', (err) => {
      clearTimeout(timer)
      if (chunks.length) return
      reject(err)
    })
    socket.write(bytes)
  })
}

/** Every audit file under `sessions`, decompressed. */
export function readAllAuditFiles(sessions: string): string[] {
  if (!existsSync(sessions)) return []
  const out: string[] = []
  for (const day of readdirSync(sessions))
    for (const f of readdirSync(path.join(sessions, day)))
      out.push(brotliDecompressSync(readFileSync(path.join(sessions, day, f))).toString('utf8'))
  return out
}

export interface ExecutedStatement {
  sql: string
  parameters: readonly unknown[]
}

/**
 * Records every statement a Kysely instance executes outside transactions (where key lookups run), with its
 * bound parameters. Returns the log and a function that stops recording.
 */
export function recordStatements(db: Kysely<Database>): { log: ExecutedStatement[]; stop: () => void } {
  const executor = db.getExecutor() as unknown as {
    executeQuery: (compiled: ExecutedStatement, ...rest: unknown[]) => Promise<unknown>
  }
  const original = executor.executeQuery
  const log: ExecutedStatement[] = []
  executor.executeQuery = function (compiled, ...rest) {
    log.push({ sql: compiled.sql, parameters: compiled.parameters })
    return original.call(this, compiled, ...rest)
  }
  return { log, stop: () => void (executor.executeQuery = original) }
}

/** The JSON payload of a JWT, without verifying it. */
export function jwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>
}

export const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** A listener that only counts connections: any connection to it is an SSRF the gateway made. */
export async function startCapture() {
  let connections = 0
  const server = net.createServer((s) => {
    connections++
    s.destroy()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** A provider stand-in whose answer (status, headers, body) each test writes itself. */
export async function startScriptedUpstream() {
  let next: { status: number; headers: Record<string, string | string[]>; body: string } = {
    status: 200,
    headers: {},
    body: '{}',
  }
  const seen: { url: string; headers: http.IncomingHttpHeaders }[] = []
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers })
      res.writeHead(next.status, next.headers)
      res.end(next.body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    answer(a: typeof next) {
      next = a
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** An OpenAI chat completion body, with the usage the test wants the provider to report. */
export function chatCompletion(
  model: string,
  usage: Record<string, unknown> | null = { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
): string {
  return JSON.stringify({
    id: 'chatcmpl-x',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    ...(usage ? { usage } : {}),
  })
}
