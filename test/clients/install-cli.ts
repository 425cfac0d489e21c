/**
 * The coding-agent CLIs the client tests drive, installed at test time from the npm registry into a cache folder
 * (not devDependencies: together they are about 1 GB of native binaries every `npm ci` would fetch, and Claude Code
 * declares Node ≥ 22 while the gateway runs on Node 20; these run as separate programs, never imported).
 *
 * Versions are pinned here so a run is reproducible; install scripts are not run (each CLI is started through its
 * own launcher or native binary below). The cache is `ANY_GATEWAY_CLI_CACHE`, else `node_modules/.cache/agent-clis`
 * of this checkout; a version already there is reused.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs'
import path from 'node:path'
import { REPO_ROOT } from '../support/spawn-gateway.ts'

export type CliId = 'claude-code' | 'codex' | 'gemini-cli'

interface CliPackage {
  pkg: string
  version: string
  /** The command (and leading arguments) that starts the installed CLI, or undefined when it is missing. */
  command(dir: string): string[] | undefined
}

const modules = (dir: string, ...parts: string[]) => path.join(dir, 'node_modules', ...parts)
const ifExists = (file: string, command: string[]) => (existsSync(file) ? command : undefined)

export const CLI_PACKAGES: Record<CliId, CliPackage> = {
  // A native binary per platform in an optional package (`@anthropic-ai/claude-code-linux-x64`, …); the main
  // package's postinstall would copy it over `bin/claude.exe`, so without scripts it is started from there.
  'claude-code': {
    pkg: '@anthropic-ai/claude-code',
    version: '2.1.332',
    command(dir) {
      const scope = modules(dir, '@anthropic-ai')
      if (!existsSync(scope)) return undefined
      const prefix = `claude-code-${process.platform}-${process.arch}`
      const native = readdirSync(scope)
        .filter((name) => name === prefix || name.startsWith(`${prefix}-`))
        .map((name) => path.join(scope, name, process.platform === 'win32' ? 'claude.exe' : 'claude'))
        .find((file) => existsSync(file))
      return native ? [native] : undefined
    },
  },
  // `bin/codex.js` is a Node launcher (Node ≥ 16) that runs the native binary of the optional platform package.
  codex: {
    pkg: '@openai/codex',
    version: '0.171.0',
    command(dir) {
      const launcher = modules(dir, '@openai', 'codex', 'bin', 'codex.js')
      return ifExists(launcher, [process.execPath, launcher])
    },
  },
  // One bundled script (engines: Node ≥ 20); its optional native helpers (node-pty, keytar) are not needed.
  'gemini-cli': {
    pkg: '@google/gemini-cli',
    version: '0.61.0',
    command(dir) {
      const bundle = modules(dir, '@google', 'gemini-cli', 'bundle', 'gemini.js')
      return ifExists(bundle, [process.execPath, bundle])
    },
  },
}

export function cliCacheDir(): string {
  return process.env.ANY_GATEWAY_CLI_CACHE ?? path.join(REPO_ROOT, 'node_modules', '.cache', 'agent-clis')
}

export type InstalledCli =
  { ok: true; id: CliId; version: string; command: string[] } | { ok: false; id: CliId; reason: string }

/**
 * The CLI, installed if needed (`npm install` into a temporary folder renamed into the cache, so a concurrent
 * or interrupted install never leaves a half-installed version behind).
 */
export function installCli(id: CliId): InstalledCli {
  const spec = CLI_PACKAGES[id]
  const cache = cliCacheDir()
  const dir = path.join(cache, `${id}-${spec.version}`)
  const ready = spec.command(dir)
  if (ready) return { ok: true, id, version: spec.version, command: ready }
  mkdirSync(cache, { recursive: true })
  const temp = `${dir}.installing-${process.pid}`
  rmSync(temp, { recursive: true, force: true })
  mkdirSync(temp, { recursive: true })
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const r = spawnSync(
    npm,
    [
      'install',
      '--prefix',
      temp,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      `${spec.pkg}@${spec.version}`,
    ],
    { cwd: temp, encoding: 'utf8', timeout: 300_000 },
  )
  if (r.status !== 0) {
    rmSync(temp, { recursive: true, force: true })
    const reason = r.error ? String(r.error) : `${r.stderr}`.trim().split('\n').slice(-5).join('\n')
    return { ok: false, id, reason: `npm install ${spec.pkg}@${spec.version} failed: ${reason}` }
  }
  try {
    renameSync(temp, dir)
  } catch {
    // Another worker installed the same version first: use theirs.
    rmSync(temp, { recursive: true, force: true })
  }
  const command = spec.command(dir)
  if (!command)
    return {
      ok: false,
      id,
      reason: `${spec.pkg}@${spec.version} installed but has no binary for ${process.platform}-${process.arch}`,
    }
  return { ok: true, id, version: spec.version, command }
}
