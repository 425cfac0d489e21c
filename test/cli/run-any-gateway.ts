import { spawn } from 'node:child_process'
import path from 'node:path'
import { REPO_ROOT } from '../support/spawn-gateway.ts'

export const CLI = path.join(REPO_ROOT, 'bin', 'any-gateway.js')

export interface CliRun {
  status: number | null
  stdout: string
  stderr: string
  /** stdout parsed (for `--json`). */
  json<T = Record<string, unknown>>(): T
}

/**
 * Runs the real CLI (`bin/any-gateway.js`, or through `npx any-gateway`) in its own process with exactly `env`
 * (plus PATH and HOME). Asynchronous, so that a fake upstream or a gateway in the test's own process keeps serving.
 */
export function runAnyGateway(
  args: string[],
  env: Record<string, string>,
  opts: { stdin?: string; cwd?: string; viaNpx?: boolean } = {},
): Promise<CliRun> {
  // `npx any-gateway` resolves the package's `bin` the way a user's shell does.
  const [command, argv] = opts.viaNpx
    ? ['npx', ['--offline', '--no-install', 'any-gateway', ...args]]
    : [process.execPath, [CLI, ...args]]
  return new Promise((resolve, reject) => {
    const proc = spawn(command, argv, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    proc.stdin.end(opts.stdin ?? '')
    const timer = setTimeout(() => proc.kill('SIGKILL'), 120_000)
    proc.once('error', reject)
    proc.once('close', (status) => {
      clearTimeout(timer)
      resolve({
        status,
        stdout,
        stderr,
        json: <T>() => {
          try {
            return JSON.parse(stdout) as T
          } catch {
            throw new Error(`not JSON (exit ${status}):\n${stdout}\n${stderr}`)
          }
        },
      })
    })
  })
}
