import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** The environment without vitest's NODE_ENV=test, as `npm start` would see it. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.NODE_ENV
  delete env.VITEST
  return env
}

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0
  const st = statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const e of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, e)))
  return newest
}

/** Build the dashboard into web/dist when there is no build or its sources changed since (E2E_REBUILD=1 forces it). */
export function ensureWebBuild(): void {
  const index = path.join(ROOT, 'web', 'dist', 'index.html')
  const sources = [
    'web/src',
    'web/build',
    'web/index.html',
    'web/vite.config.ts',
    'src/contracts',
    'src/protocol',
  ].map((p) => path.join(ROOT, p))
  const stale = !existsSync(index) || Math.max(...sources.map(newestMtime)) > statSync(index).mtimeMs
  if (!stale && process.env.E2E_REBUILD !== '1') return
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    // vitest runs with NODE_ENV=test, which would make Vite bundle React's development build.
    { cwd: ROOT, stdio: 'inherit', env: { ...cleanEnv(), NODE_ENV: 'production' } },
  )
  if (r.status !== 0) throw new Error('vite build of the dashboard failed')
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

export interface RunningGateway {
  url: string
  dataDir: string
  adminUsername: string
  adminPassword: string
  output: () => string
  stop: () => Promise<void>
}

/** The real thing: `node --import tsx src/main.ts` on a fresh data directory and a free port (what `npm start` runs). */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'agw-e2e-'))
  const port = await freePort()
  let out = ''
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...cleanEnv(),
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(port),
      GATEWAY_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // One process: these tests are about the dashboard, not workers, and each worker loads the whole gateway
      // (the default is one per core). A test that wants workers passes WORKERS.
      WORKERS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited early (${child.exitCode}):\n${out}`)
    try {
      const res = await fetch(`${url}/health`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway did not start within 60 s:\n${out}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  const pwFile = path.join(dataDir, 'initial-admin-password')
  const adminPassword = existsSync(pwFile) ? readFileSync(pwFile, 'utf8').trim() : ''
  const userMatch = /username "([^"]+)"/.exec(out)
  return {
    url,
    dataDir,
    adminUsername: userMatch?.[1] ?? 'admin',
    adminPassword,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
