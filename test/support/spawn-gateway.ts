import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePortBelowEphemeral } from './services.ts'

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..')

export interface SpawnedGateway {
  /** http://127.0.0.1:PORT */
  url: string
  port: number
  /** The gateway's own process (from its log), which may be a child of `npm` or of the CLI launcher. */
  gatewayPid: number
  proc: ChildProcess
  output(): string
  /** SIGTERM to the gateway process; resolves with the exit code of the spawned command. */
  stop(): Promise<number | null>
}

export interface SpawnGatewayOptions {
  command: string
  args: string[]
  cwd: string
  /** The whole environment of the process (nothing inherited but PATH and HOME), GATEWAY_PORT/HOST added. */
  env: Record<string, string>
  timeoutMs?: number
  /**
   * WORKERS when `env` does not say: 1 unless told, since a test that is not about workers gains nothing from the
   * user's default (one worker per core, each loading the whole gateway) but the suite's time; 'default' leaves it
   * unset, as a user starts it.
   */
  workers?: number | 'default'
}

/**
 * Runs a command that starts the gateway (`npm start`, `any-gateway start`) on a free port and waits for it to
 * listen. A port taken between the probe and the bind costs one more try, not the test.
 */
export async function spawnGateway(opts: SpawnGatewayOptions): Promise<SpawnedGateway> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(opts, await freePortBelowEphemeral())
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error
    }
  }
}

async function spawnOnce(opts: SpawnGatewayOptions, port: number): Promise<SpawnedGateway> {
  let out = ''
  const proc = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(opts.workers === 'default' ? {} : { WORKERS: String(opts.workers ?? 1) }),
      ...opts.env,
      GATEWAY_PORT: String(port),
      GATEWAY_HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)))
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000)
  while (Date.now() < deadline) {
    const line = out.split('\n').find((l) => l.includes('Server listening'))
    if (line) {
      const gatewayPid = (JSON.parse(line) as { pid: number }).pid
      return {
        url: `http://127.0.0.1:${port}`,
        port,
        gatewayPid,
        proc,
        output: () => out,
        stop: async () => {
          if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode
          try {
            process.kill(gatewayPid, 'SIGTERM')
          } catch {
            // Already gone.
          }
          return exited
        },
      }
    }
    if (proc.exitCode !== null || proc.signalCode !== null) break
    await new Promise((r) => setTimeout(r, 100))
  }
  proc.kill('SIGKILL')
  throw new Error(`the gateway did not start (${opts.command} ${opts.args.join(' ')}):\n${out}`)
}

export interface FreshClone {
  dir: string
  remove(): void
}

/**
 * A `git clone` of this repository's committed HEAD into a temp folder: what a new user gets. Its
 * `node_modules` is a link to this checkout's (the README's `npm ci` would install the same lock file; doing it
 * for real needs the network and minutes), so everything else (the dashboard build, `./data`) starts from nothing.
 */
export function cloneRepository(): FreshClone {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'gw-clone-'))
  const dir = path.join(parent, 'any-gateway')
  const r = spawnSync('git', ['clone', '--quiet', REPO_ROOT, dir], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`git clone failed: ${r.stderr}`)
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) }
}
