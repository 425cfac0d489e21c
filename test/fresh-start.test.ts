import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REDIS_TEST_URL, requireService } from './support/services.ts'
import { createEmptyPostgres, type EmptyPostgres } from './support/create-empty-postgres.ts'
import {
  cloneRepository,
  REPO_ROOT,
  spawnGateway,
  type FreshClone,
  type SpawnedGateway,
} from './support/spawn-gateway.ts'
import { startFakeUpstream, type FakeUpstream } from './fake-upstream/start-fake-upstream.ts'
import { startOpenLdap, type OpenLdapServer } from './support/openldap-server.ts'

/**
 * Every start path the README documents, run from a fresh `git clone` exactly as the README says: `npm start`
 * with nothing but the documented environment variables, no folder or file made by hand. `npm start` builds the
 * dashboard on its first run (prestart), as it does for a new user.
 */

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
const hasPostgres = await requireService('PostgreSQL', '127.0.0.1', 5432)
const hasRedis = await requireService('Redis', '127.0.0.1', 6379)

const npmStart = (clone: FreshClone, env: Record<string, string> = {}) =>
  spawnGateway({ command: 'npm', args: ['start'], cwd: clone.dir, env, workers: 'default' })

async function loginAs(base: string, username: string, password: string) {
  const res = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as { access_token: string; role: string }
}

/** As the README's quick start: a channel, a group that holds it, a key, and a call through the gateway. */
async function setUpAndCall(base: string, jwt: string, upstream: FakeUpstream) {
  const auth = { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' }
  const post = async (url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    expect(res.status, `${url}: ${await res.clone().text()}`).toBeLessThan(300)
    return (await res.json()) as Record<string, unknown>
  }
  const channel = await post('/admin/channels', {
    name: 'openai',
    provider: 'openai',
    base_url: `${upstream.url}/v1`,
    api_key: 'sk-upstream-secret-123456',
    models: ['gpt-4o-mini'],
  })
  const group = await post('/admin/groups', { name: 'team', all_visible: true })
  await post(`/admin/groups/${String(group.id)}/channels/${String(channel.id)}`)
  const key = String((await post('/user/tokens', { name: 'first key', group_id: group.id })).key)
  expect(key).toMatch(/^sk-/)
  const answer = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  })
  expect(answer.status, await answer.clone().text()).toBe(200)
  const json = (await answer.json()) as { choices: { message: { content: string } }[] }
  expect(json.choices[0].message.content.length).toBeGreaterThan(0)
  return { key, groupId: String(group.id) }
}

async function expectReady(base: string, redis: 'ok' | 'not_configured') {
  expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'healthy' })
  const ready = await fetch(`${base}/ready`)
  expect(ready.status).toBe(200)
  expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok', redis })
}

/** The names of the threads of a process and of its children, its workers when there are several (Linux /proc). */
function threadNames(pid: number): string[] {
  const names: string[] = []
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    names.push(readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim())
    const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim()
    for (const child of children ? children.split(' ') : []) names.push(...threadNames(Number(child)))
  }
  return names
}

/** The README's PostgreSQL secrets: 48 random bytes for JWT_SECRET, 32 as hex for ENCRYPTION_KEY. */
const postgresSecrets = () => ({
  JWT_SECRET: randomBytes(48).toString('base64'),
  ENCRYPTION_KEY: randomBytes(32).toString('hex'),
})

let upstream: FakeUpstream
beforeAll(async () => {
  upstream = await startFakeUpstream()
})
afterAll(async () => {
  await upstream?.close()
})

describe('a fresh clone on SQLite: npm ci && npm start', () => {
  let clone: FreshClone
  let first: SpawnedGateway
  const dataDir = () => path.join(clone.dir, 'data')

  beforeAll(async () => {
    expect(README).toContain('npm ci && npm start')
    clone = cloneRepository()
    expect(existsSync(dataDir())).toBe(false)
    first = await npmStart(clone)
  }, 240_000)
  afterAll(async () => {
    await first?.stop()
    clone?.remove()
  })

  it('answers /health and /ready, serves the dashboard, and lets the bootstrap superadmin set things up', async () => {
    const base = first.url
    await expectReady(base, 'not_configured')
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(await page.text()).toContain('<div id="root">')
    const deep = await fetch(`${base}/keys`)
    expect(deep.status).toBe(200)

    expect(first.output()).toContain('Bootstrap superadmin: username "admin"')
    const password = readFileSync(path.join(dataDir(), 'initial-admin-password'), 'utf8').trim()
    // The password itself is never printed.
    expect(first.output()).not.toContain(password)
    const { access_token, role } = await loginAs(base, 'admin', password)
    expect(role).toBe('superadmin')
    await setUpAndCall(base, access_token, upstream)
    // The serving process checkpoints SQLite's WAL on a thread of its own (checkpoint-in-background.ts), which
    // names itself (Linux).
    if (process.platform === 'linux') expect(threadNames(first.gatewayPid)).toContain('db-checkpoint')

    const files = readdirSync(dataDir())
    expect(files).toEqual(expect.arrayContaining(['gateway.db', 'secrets.json', 'initial-admin-password']))
    for (const f of files) expect(statSync(path.join(dataDir(), f)).mode & 0o077, `${f} is private`).toBe(0)
    expect(statSync(dataDir()).mode & 0o777).toBe(0o700)
  })

  it('reuses the database and secrets on the next start', async () => {
    const secretsBefore = readFileSync(path.join(dataDir(), 'secrets.json'), 'utf8')
    const password = readFileSync(path.join(dataDir(), 'initial-admin-password'), 'utf8').trim()
    const tokenBefore = await loginAs(first.url, 'admin', password)
    expect(await first.stop()).toBe(0)

    const second = await npmStart(clone)
    try {
      expect(second.output()).not.toContain('Bootstrap superadmin')
      expect(readFileSync(path.join(dataDir(), 'secrets.json'), 'utf8')).toBe(secretsBefore)
      // A JWT from the first run is still valid: same secret. And the data is still there.
      const groups = await fetch(`${second.url}/admin/groups`, {
        headers: { authorization: `Bearer ${tokenBefore.access_token}` },
      })
      expect(groups.status).toBe(200)
      const names = ((await groups.json()) as { data: { name: string }[] }).data.map((g) => g.name)
      expect(names).toEqual(expect.arrayContaining(['team', 'default']))
    } finally {
      expect(await second.stop()).toBe(0)
    }
  })

  it('refuses to start with a placeholder secret, naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: clone.dir,
      env: { PATH: process.env.PATH, JWT_SECRET: 'change-me-in-production' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('JWT_SECRET')
  })
})

describe.skipIf(!hasPostgres)(
  'a fresh clone on PostgreSQL: DATABASE_URL, JWT_SECRET and ENCRYPTION_KEY, then npm start',
  () => {
    let clone: FreshClone
    let database: EmptyPostgres
    let gateway: SpawnedGateway

    beforeAll(async () => {
      expect(README).toMatch(/DATABASE_URL=postgres:\/\/.* JWT_SECRET=.* ENCRYPTION_KEY=.* npm start/)
      clone = cloneRepository()
      database = await createEmptyPostgres('gw_fresh')
      // Nothing creates ./data beforehand: with PostgreSQL the gateway keeps only the bootstrap password and
      // audit files there, and must create the folder itself.
      expect(existsSync(path.join(clone.dir, 'data'))).toBe(false)
      gateway = await npmStart(clone, { DATABASE_URL: database.url, ...postgresSecrets() })
    }, 240_000)
    afterAll(async () => {
      await gateway?.stop()
      await database?.drop()
      clone?.remove()
    })

    it('issue 18 defect: starts without a ./data folder, creates it private, and the bootstrap password logs in', async () => {
      await expectReady(gateway.url, 'not_configured')
      const dataDir = path.join(clone.dir, 'data')
      expect(statSync(dataDir).mode & 0o777).toBe(0o700)
      const passwordFile = path.join(dataDir, 'initial-admin-password')
      expect(statSync(passwordFile).mode & 0o777).toBe(0o600)
      // With PostgreSQL no secret is generated: they were given.
      expect(existsSync(path.join(dataDir, 'secrets.json'))).toBe(false)
      expect(existsSync(path.join(dataDir, 'gateway.db'))).toBe(false)
      const { access_token, role } = await loginAs(
        gateway.url,
        'admin',
        readFileSync(passwordFile, 'utf8').trim(),
      )
      expect(role).toBe('superadmin')
      await setUpAndCall(gateway.url, access_token, upstream)
      expect(await gateway.stop()).toBe(0)
    })
  },
)

describe.skipIf(!hasPostgres || !hasRedis)(
  'a fresh clone on PostgreSQL with Redis and LDAP (the multi-host setup), then npm start',
  () => {
    let clone: FreshClone
    let database: EmptyPostgres
    let ldap: OpenLdapServer | null
    let gateway: SpawnedGateway

    beforeAll(async () => {
      clone = cloneRepository()
      database = await createEmptyPostgres('gw_fresh')
      ldap = await startOpenLdap()
      const ldapEnv: Record<string, string> = ldap
        ? {
            LDAP_SERVER_URL: ldap.url,
            LDAP_USER_DN_TEMPLATE: `uid={username},${ldap.peopleDn}`,
            SUPERADMIN_USERNAME: ldap.users.alice.uid,
          }
        : {}
      if (!ldap)
        console.warn('\n!!! slapd is not installed: the LDAP part of the fresh-clone start is SKIPPED !!!\n')
      gateway = await npmStart(clone, {
        DATABASE_URL: database.url,
        ...postgresSecrets(),
        REDIS_URL: REDIS_TEST_URL,
        ...ldapEnv,
      })
    }, 240_000)
    afterAll(async () => {
      await gateway?.stop()
      await ldap?.stop()
      await database?.drop()
      clone?.remove()
    })

    it('reports Redis in /ready, logs LDAP users in (SUPERADMIN_USERNAME as superadmin) and proxies', async () => {
      await expectReady(gateway.url, 'ok')
      const ready = (await (await fetch(`${gateway.url}/ready`)).json()) as {
        rate_limiter: { backend: string }
      }
      expect(ready.rate_limiter.backend).toBe('redis')
      let jwt: string
      if (ldap) {
        // An LDAP superadmin is configured, so no local account is made and no password file is written.
        expect(gateway.output()).not.toContain('Bootstrap superadmin')
        const alice = await loginAs(gateway.url, ldap.users.alice.uid, ldap.users.alice.password)
        expect(alice.role).toBe('superadmin')
        const bob = await loginAs(gateway.url, ldap.users.bob.uid, ldap.users.bob.password)
        expect(bob.role).toBe('user')
        jwt = alice.access_token
      } else {
        const password = readFileSync(path.join(clone.dir, 'data', 'initial-admin-password'), 'utf8').trim()
        jwt = (await loginAs(gateway.url, 'admin', password)).access_token
      }
      await setUpAndCall(gateway.url, jwt, upstream)
      // The audit record of that call went under ./data/sessions, which the gateway created too.
      expect(await gateway.stop()).toBe(0)
      const days = readdirSync(path.join(clone.dir, 'data', 'sessions'))
      expect(days.length).toBe(1)
      expect(statSync(path.join(clone.dir, 'data')).mode & 0o777).toBe(0o700)
    })
  },
)
