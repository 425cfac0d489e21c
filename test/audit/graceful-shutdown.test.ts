import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { Pool } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/start-fake-upstream.ts'
import { freePortBelowEphemeral } from '../support/services.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')

describe('SIGTERM under load', () => {
  let upstream: FakeUpstream
  beforeAll(async () => {
    upstream = await startFakeUpstream({ maxRecordedRequests: 0 })
  })
  afterAll(async () => upstream?.close())

  it('settles and audits every admitted request, and exits by itself within the grace period', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'gw-term-')), 'data')
    const port = await freePortBelowEphemeral()
    let out = ''
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        GATEWAY_PORT: String(port),
        GATEWAY_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()))
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()))
    const base = `http://127.0.0.1:${port}`
    for (let i = 0; i < 300 && !out.includes('Bootstrap superadmin'); i++)
      await new Promise((r) => setTimeout(r, 100))
    expect(out).toContain('Bootstrap superadmin')

    const json = async (method: string, url: string, jwt: string | null, body?: unknown) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { 'content-type': 'application/json', ...(jwt ? { authorization: `Bearer ${jwt}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return (await res.json()) as Record<string, string>
    }
    const password = readFileSync(path.join(dataDir, 'initial-admin-password'), 'utf8').trim()
    const jwt = (await json('POST', '/auth/login', null, { username: 'admin', password })).access_token
    const ch = await json('POST', '/admin/channels', jwt, {
      name: 'o',
      provider: 'openai',
      base_url: `${upstream.url}/v1`,
      api_key: 'sk-term-canary-123456',
      models: ['gpt-4o-mini'],
    })
    const g = await json('POST', '/admin/groups', jwt, { name: 'term', all_visible: true })
    await fetch(`${base}/admin/groups/${g.id}/channels/${ch.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jwt}` },
    })
    const key = (await json('POST', '/user/tokens', jwt, { name: 'k' })).key

    const pool = new Pool(base, { connections: 32 })
    const ok: string[] = []
    let refused = 0
    let sent = 0
    const TOTAL = 2000
    const worker = async () => {
      while (sent < TOTAL) {
        sent++
        const stream = sent % 3 === 0
        try {
          const res = await pool.request({
            path: '/v1/chat/completions',
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              model: 'gpt-4o-mini',
              stream,
              messages: [{ role: 'user', content: `r${sent}` }],
            }),
          })
          await res.body.text()
          if (res.statusCode === 200) ok.push(String(res.headers['x-request-id']))
          else refused++
        } catch {
          refused++
        }
      }
    }
    const workers = Array.from({ length: 32 }, worker)
    // Stop the gateway while requests are still pouring in.
    while (ok.length < 1500) await new Promise((r) => setTimeout(r, 5))
    const termAt = Date.now()
    proc.kill('SIGTERM')
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    await Promise.all(workers)
    const code = await exited
    const tookMs = Date.now() - termAt
    await pool.destroy()
    expect(code).toBe(0)
    expect(tookMs).toBeLessThan(10_000)
    expect(ok.length).toBeGreaterThanOrEqual(1500)
    // Every request either succeeded or was refused (503 / connection closed) after the SIGTERM.
    expect(ok.length + refused).toBe(TOTAL)

    const db = new Database(path.join(dataDir, 'gateway.db'), { readonly: true })
    const rows = db.prepare('select request_id, created_at from usage_logs').all() as {
      request_id: string
      created_at: number
    }[]
    const reserved = db.prepare('select count(*) as n from reservations').get() as { n: number }
    db.close()
    const byId = new Map(rows.map((r) => [r.request_id, r]))
    for (const id of ok) expect(byId.has(id), `usage row of ${id}`).toBe(true)
    expect(reserved.n).toBe(0)
    // Every settled request (admitted) has exactly its audit file.
    for (const r of rows) {
      const day = new Date(Number(r.created_at)).toISOString().slice(0, 10).replace(/-/g, '_')
      expect(existsSync(path.join(dataDir, 'sessions', day, `${r.request_id}.json.br`)), r.request_id).toBe(
        true,
      )
    }
    expect(out).not.toContain(key)
  }, 120_000)
})
