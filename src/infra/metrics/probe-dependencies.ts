import net from 'node:net'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/database-types.ts'

/** A scrape never waits longer than this for a dependency; a slower one counts as down. */
const PROBE_MS = 2000
/** LDAP is only reached by logins: its probe (a TCP connect) runs at most this often. */
const LDAP_PROBE_EVERY_MS = 10_000

function withTimeout(probe: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  return Promise.race([probe.catch(() => false), timeout]).finally(() => clearTimeout(timer))
}

function connects(host: string, port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (up: boolean) => {
      socket.destroy()
      resolve(up)
    }
    socket.setTimeout(ms, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

export interface DependencyProbeOptions {
  db: Kysely<Database>
  /** The rate limiter's view of Redis; absent when Redis is not configured. */
  redisHealthy?: () => boolean
  /** `ldap://` or `ldaps://` URL; absent when LDAP is not configured. */
  ldapUrl?: string
  now?: () => number
}

/**
 * `gateway_dependency_up`: the database answers `select 1`, the rate limiter's Redis is healthy, the directory
 * accepts a connection. Only configured dependencies are reported.
 */
export function createDependencyProbe(
  options: DependencyProbeOptions,
): () => Promise<Record<string, boolean>> {
  const now = options.now ?? Date.now
  let ldap: { up: boolean; at: number } | null = null
  const ldapTarget = options.ldapUrl ? new URL(options.ldapUrl) : null
  const probeLdap = async (): Promise<boolean> => {
    if (!ldapTarget) return false
    if (ldap && now() - ldap.at < LDAP_PROBE_EVERY_MS) return ldap.up
    const port = Number(ldapTarget.port) || (ldapTarget.protocol === 'ldaps:' ? 636 : 389)
    const up = await connects(ldapTarget.hostname.replace(/^\[|\]$/g, ''), port, PROBE_MS)
    ldap = { up, at: now() }
    return up
  }
  return async () => {
    const [database, directory] = await Promise.all([
      withTimeout(
        sql`select 1`.execute(options.db).then(() => true),
        PROBE_MS,
      ),
      ldapTarget ? probeLdap() : Promise.resolve(false),
    ])
    const out: Record<string, boolean> = { database }
    if (options.redisHealthy) out.redis = options.redisHealthy()
    if (ldapTarget) out.ldap = directory
    return out
  }
}
