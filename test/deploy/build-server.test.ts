import { spawnSync } from 'node:child_process'
import { readFileSync, utimesSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../support/spawn-gateway.ts'
import { buildServer, isServerBuildStale } from '../../scripts/build-server.mjs'

/** Issue 20: production runs the compiled server in dist/, rebuilt by prestart when a source is newer. */
describe('issue 20: the compiled server (npm run build:server)', () => {
  const stamp = path.join(REPO_ROOT, 'dist', '.build-stamp')

  it('builds dist/, is fresh after a build and stale when a source is newer than it', async () => {
    await buildServer()
    expect(isServerBuildStale()).toBe(false)
    // A build older than every source: what a pull or an edit after the last build looks like.
    utimesSync(stamp, new Date(0), new Date(0))
    expect(isServerBuildStale()).toBe(true)
    await buildServer()
    expect(isServerBuildStale()).toBe(false)
  }, 60_000)

  it('runs the CLI from dist/ without tsx, and the bundle holds no TypeScript import', () => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli', 'any-gateway.js'), '--help'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
      timeout: 30_000,
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Usage: any-gateway <command>')
    const main = readFileSync(path.join(REPO_ROOT, 'dist', 'main.js'), 'utf8')
    expect(main).not.toMatch(/from ["'][^"']*\.ts["']|import\(["'][^"']*\.ts["']\)|["']tsx["']/)
    // Function names are not kept (docs: scripts/build-server.mjs): no per-closure defineProperty on the hot path.
    expect(main).not.toContain('__name(')
  })
})
