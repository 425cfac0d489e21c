import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePortBelowEphemeral } from './support/services.ts'

const ROOT = path.resolve(import.meta.dirname, '..')

interface Running {
  proc: ChildProcess
  output: () => string
  port: number
}

/** `start` on a free port; a port taken between the probe and the bind costs one more try, not the test. */
async function startOnFreePort(dataDir: string): Promise<Running> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(dataDir, await freePortBelowEphemeral())
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error
    }
  }
}

/** Starts the gateway exactly as `npm start` does (same entry point), in a fresh data directory. */
async function start(dataDir: string, port: number): Promise<Running> {
  let out = ''
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(port),
      GATEWAY_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (out.includes('Server listening')) return { proc, output: () => out, port }
    if (proc.exitCode !== null) break
    await new Promise((r) => setTimeout(r, 100))
  }
  proc.kill('SIGKILL')
  throw new Error(`gateway did not start:\n${out}`)
}

async function stop(r: Running): Promise<number | null> {
  r.proc.kill('SIGTERM')
  await new Promise((res) => r.proc.once('exit', res))
  return r.proc.exitCode
}

describe('a fresh install', () => {
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'gw-fresh-')), 'data')
  let first: Running

  beforeAll(async () => {
    // `npm start` builds the dashboard on first start (prestart); do the same here.
    const r = spawnSync(process.execPath, ['scripts/ensure-web-build.mjs'], { cwd: ROOT, stdio: 'inherit' })
    expect(r.status).toBe(0)
    first = await startOnFreePort(dataDir)
  }, 180_000)
  afterAll(async () => {
    if (first?.proc.exitCode === null) await stop(first)
  })

  it('answers /health, serves the dashboard, and lets the bootstrap superadmin set things up', async () => {
    const base = `http://127.0.0.1:${first.port}`
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'healthy' })
    const page = await fetch(`${base}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(await page.text()).toContain('<div id="root">')
    const deep = await fetch(`${base}/keys`)
    expect(deep.status).toBe(200)

    expect(first.output()).toContain('Bootstrap superadmin: username "admin"')
    const password = readFileSync(path.join(dataDir, 'initial-admin-password'), 'utf8').trim()
    // The password itself is never printed.
    expect(first.output()).not.toContain(password)
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    })
    expect(login.status).toBe(200)
    const { access_token, role } = (await login.json()) as { access_token: string; role: string }
    expect(role).toBe('superadmin')
    const auth = { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }
    const channel = await fetch(`${base}/admin/channels`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        name: 'openai',
        provider: 'openai',
        base_url: 'http://127.0.0.1:9/v1',
        api_key: 'sk-upstream-secret-123456',
        models: ['gpt-4o-mini'],
      }),
    })
    expect(channel.status).toBe(201)
    const group = await fetch(`${base}/admin/groups`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'team', all_visible: true }),
    })
    expect(group.status).toBe(201)
    const groupId = ((await group.json()) as { id: string }).id
    const link = await fetch(
      `${base}/admin/groups/${groupId}/channels/${((await channel.json()) as { id: string }).id}`,
      { method: 'POST', headers: auth },
    )
    expect(link.status).toBe(200)
    const key = await fetch(`${base}/user/tokens`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'first key', group_id: groupId }),
    })
    expect(key.status).toBe(201)
    expect(((await key.json()) as { key: string }).key).toMatch(/^sk-/)

    const files = readdirSync(dataDir)
    expect(files).toEqual(expect.arrayContaining(['gateway.db', 'secrets.json', 'initial-admin-password']))
    for (const f of files) expect(statSync(path.join(dataDir, f)).mode & 0o077, `${f} is private`).toBe(0)
  })

  it('reuses the database and secrets on the next start', async () => {
    const secretsBefore = readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')
    const password = readFileSync(path.join(dataDir, 'initial-admin-password'), 'utf8').trim()
    const tokenBefore = (await (
      await fetch(`http://127.0.0.1:${first.port}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      })
    ).json()) as { access_token: string }
    expect(await stop(first)).toBe(0)

    const second = await startOnFreePort(dataDir)
    try {
      expect(second.output()).not.toContain('Bootstrap superadmin')
      expect(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).toBe(secretsBefore)
      // A JWT from the first run is still valid: same secret. And the data is still there.
      const groups = await fetch(`http://127.0.0.1:${second.port}/admin/groups`, {
        headers: { authorization: `Bearer ${tokenBefore.access_token}` },
      })
      expect(groups.status).toBe(200)
      const names = ((await groups.json()) as { data: { name: string }[] }).data.map((g) => g.name)
      expect(names).toEqual(expect.arrayContaining(['team', 'default']))
      expect(existsSync(path.join(dataDir, 'gateway.db'))).toBe(true)
    } finally {
      await stop(second)
    }
  })

  it('refuses to start with a placeholder secret, naming the variable', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, JWT_SECRET: 'change-me-in-production' },
      encoding: 'utf8',
      timeout: 30_000,
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('JWT_SECRET')
  })
})
