import { spawn } from 'node:child_process'
import path from 'node:path'

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  stdout: string
  stderr: string
  durationMs: number
}

export interface RunCliOptions {
  cwd: string
  /** The whole environment (nothing inherited): PATH is this Node's folder and the system's. */
  env: Record<string, string>
  timeoutMs: number
}

/**
 * Runs a CLI non-interactively (stdin closed) in its own process group, which is killed on timeout and after
 * the CLI exits, so shells or helpers it started do not outlive the test.
 */
export function runCli(command: string[], options: RunCliOptions): Promise<CliRun> {
  const started = Date.now()
  const [file, ...args] = command
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  let timedOut = false
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // The group is gone already.
    }
  }
  const timer = setTimeout(() => {
    timedOut = true
    killGroup()
  }, options.timeoutMs)
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      killGroup()
      resolve({ code, signal, timedOut, stdout, stderr, durationMs: Date.now() - started })
    })
  })
}

/** The run as text for a failed assertion's message. */
export function describeRun(run: CliRun): string {
  const tail = (s: string) => (s.length > 6000 ? `…${s.slice(-6000)}` : s)
  return `exit ${run.code} signal ${run.signal} timedOut ${run.timedOut} after ${run.durationMs} ms\n--- stdout\n${tail(run.stdout)}\n--- stderr\n${tail(run.stderr)}`
}
