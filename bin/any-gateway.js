#!/usr/bin/env node
// `npx any-gateway <command>`: runs the compiled CLI in dist/ as `npm start` runs the compiled server (issue 20),
// building it first when a source is newer (a fresh clone, a pull). Where dist/ cannot be written and is stale (a
// read-only install), the sources run through tsx instead, as before the build existed.
import { buildServer, isServerBuildStale } from '../scripts/build-server.mjs'

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
if (compiled) await import('../dist/cli/any-gateway.js')
else {
  await import('tsx')
  await import('../src/cli/any-gateway.ts')
}
