import net from 'node:net'

/** Services the machine runs (PostgreSQL, Redis). Outside CI a missing one skips its suites loudly; in CI it fails. */
export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port })
    const done = (ok: boolean) => {
      s.destroy()
      resolve(ok)
    }
    s.setTimeout(timeoutMs, () => done(false))
    s.once('connect', () => done(true))
    s.once('error', () => done(false))
  })
}

export async function requireService(name: string, host: string, port: number): Promise<boolean> {
  if (await portOpen(host, port)) return true
  if (process.env.CI === 'true')
    throw new Error(`${name} is required in CI but ${host}:${port} is unreachable`)
  console.warn(
    `\n!!! ${name} unreachable at ${host}:${port}: its suites are SKIPPED (they fail under CI=true) !!!\n`,
  )
  return false
}

/**
 * A loopback port nobody listens on, below Linux's ephemeral range (32768–60999), where the outgoing connections
 * of tests running in parallel take their local ports: a port found free there could be taken before the bind.
 */
export async function freePortBelowEphemeral(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000)
    if (!(await portOpen('127.0.0.1', port, 200))) return port
  }
}
