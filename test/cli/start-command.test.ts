import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readStartCommand } from '../../scripts/start-command.mjs'
import { spawnGateway } from '../support/spawn-gateway.ts'
import { CLI, runAnyGateway } from './run-any-gateway.ts'

/**
 * README › Command line: `any-gateway start` starts the gateway "as `npm start`", so with npm start's heap flags and
 * MALLOC_ARENA_MAX (docs/memory.md), which node takes only when it starts.
 */
describe('any-gateway start', () => {
  const dirs: string[] = []
  const dataDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-cli-start-'))
    dirs.push(dir)
    return dir
  }
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

  it("runs the gateway with npm start's node flags and environment, and exits when it stops", async () => {
    const { env, nodeFlags } = readStartCommand()
    expect(nodeFlags).toEqual(
      expect.arrayContaining(['--heap-growing-percent=50', '--initial-old-space-size=64']),
    )
    expect(env).toEqual({ MALLOC_ARENA_MAX: '2' })

    const gateway = await spawnGateway({
      command: process.execPath,
      args: [CLI, 'start'],
      cwd: os.tmpdir(),
      env: { DATA_DIR: dataDir() },
    })
    let stopped = false
    try {
      const health = await fetch(`${gateway.url}/health`)
      expect(health.status).toBe(200)
      // The gateway is a process of its own, started with the flags; the launcher waits for it.
      expect(gateway.gatewayPid).not.toBe(gateway.proc.pid)
      const args = readFileSync(`/proc/${gateway.gatewayPid}/cmdline`, 'utf8').split('\0')
      for (const flag of nodeFlags) expect(args).toContain(flag)
      const environ = readFileSync(`/proc/${gateway.gatewayPid}/environ`, 'utf8').split('\0')
      expect(environ).toContain('MALLOC_ARENA_MAX=2')

      // SIGTERM to the launcher (as systemd or a shell's kill sends it) stops the gateway, and both exit 0.
      const exited = new Promise<number | null>((resolve) =>
        gateway.proc.once('exit', (code) => resolve(code)),
      )
      gateway.proc.kill('SIGTERM')
      expect(await exited).toBe(0)
      stopped = true
      expect(gateway.output()).toContain('shutting down')
      expect(() => process.kill(gateway.gatewayPid, 0)).toThrow()
    } finally {
      if (!stopped) await gateway.stop()
    }
  })

  it("keeps the user's own MALLOC_ARENA_MAX", async () => {
    const gateway = await spawnGateway({
      command: process.execPath,
      args: [CLI, 'start'],
      cwd: os.tmpdir(),
      env: { DATA_DIR: dataDir(), MALLOC_ARENA_MAX: '4' },
    })
    try {
      const environ = readFileSync(`/proc/${gateway.gatewayPid}/environ`, 'utf8').split('\0')
      expect(environ).toContain('MALLOC_ARENA_MAX=4')
      expect(environ).not.toContain('MALLOC_ARENA_MAX=2')
    } finally {
      await gateway.stop()
    }
  })

  it("exits with the gateway's exit code and shows its message", async () => {
    // A bad setting stops the relaunched gateway at start.
    const run = await runAnyGateway(['start'], { DATA_DIR: dataDir(), GATEWAY_PORT: 'not-a-port' })
    expect(run.status).toBe(1)
    expect(run.stderr + run.stdout).toContain('GATEWAY_PORT')
  })
})
