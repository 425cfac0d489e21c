#!/usr/bin/env node
// `npx any-gateway <command>`: runs the compiled CLI in dist/ as `npm start` runs the compiled server (issue 20),
// building it first when a source is newer (a fresh clone, a pull). Where dist/ cannot be written and is stale (a
// read-only install), the sources run through tsx instead, as before the build existed.
import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { fileURLToPath } from 'node:url'
import { buildServer, isServerBuildStale } from '../scripts/build-server.mjs'
import { readStartCommand } from '../scripts/start-command.mjs'

/** Set in the process `start` relaunches, so that it runs the gateway instead of relaunching again. */
const RELAUNCHED = 'ANY_GATEWAY_START_RELAUNCHED'

/**
 * `any-gateway start` runs the gateway as `npm start` does: with its heap flags and MALLOC_ARENA_MAX
 * (docs/memory.md), which must be given when node starts. A process started without them starts a second one with
 * them (the environment the user set wins over npm start's), passes SIGTERM, SIGINT and SIGHUP on, and exits as it
 * exits. The gateway logs its own pid.
 */
function relaunchWithStartFlags() {
  if (process.argv[2] !== 'start' || process.env[RELAUNCHED] === '1') return false
  const { env, nodeFlags } = readStartCommand()
  const missingFlags = nodeFlags.filter((f) => !process.execArgv.includes(f))
  const missingEnv = Object.keys(env).filter((k) => process.env[k] === undefined)
  if (missingFlags.length === 0 && missingEnv.length === 0) return false
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...missingFlags, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...env, ...process.env, [RELAUNCHED]: '1' } },
  )
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'])
    process.on(signal, () => {
      // A terminal's Ctrl-C reaches both processes; the gateway takes a second stop signal as the first.
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    })
  child.once('exit', (code, signal) => {
    process.exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1)
  })
  child.once('error', (err) => {
    process.stderr.write(`any-gateway: could not start the gateway: ${String(err)}\n`)
    process.exitCode = 1
  })
  return true
}

let compiled = true
if (isServerBuildStale()) {
  try {
    await buildServer()
  } catch (err) {
    process.stderr.write(
      `any-gateway: could not build dist/ (${String(err)}); running the sources through tsx\n`,
    )
    compiled = false
  }
}
if (relaunchWithStartFlags()) {
  // The relaunched process runs the gateway; this one only waits for it.
} else if (compiled) await import('../dist/cli/any-gateway.js')
else {
  await import('tsx')
  await import('../src/cli/any-gateway.ts')
}
