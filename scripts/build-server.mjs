// The server compiled to JavaScript in dist/ (issue 20): `npm start`, the CLI and the Docker image run dist/, not
// TypeScript through tsx, which costs CPU on every request (README, "Benchmark"). Tests keep running the sources.
//   node scripts/build-server.mjs             build
//   node scripts/build-server.mjs --if-stale  build only when a source is newer than the last build (prestart)
// esbuild comes with tsx, a runtime dependency, so a production install (`npm prune --omit=dev`) can build too.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const DIST = path.join(root, 'dist')
/** Its mtime is the start of the last build that completed: a source changed after that start is newer. */
const STAMP = path.join(DIST, '.build-stamp')
/** Besides src/: what changes the output. */
const INPUTS = ['package.json', 'package-lock.json', 'scripts/build-server.mjs']
/** An older build's chunks are removed only once no process can still be starting from that build. */
const OLD_CHUNK_MS = 10 * 60_000

function newestSourceMs(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(file))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(file).mtimeMs)
  }
  return newest
}

/** True when dist/ is missing or older than a source file. */
export function isServerBuildStale() {
  if (!existsSync(STAMP)) return true
  const built = statSync(STAMP).mtimeMs
  const inputs = INPUTS.map((f) => path.join(root, f)).filter((f) => existsSync(f))
  return Math.max(newestSourceMs(path.join(root, 'src')), ...inputs.map((f) => statSync(f).mtimeMs)) > built
}

/**
 * Bundles the two entries (the server and the CLI) with their shared code in chunks, leaving packages to
 * node_modules. Every file is written beside its final name and renamed, chunks before entries, so that a process
 * starting during a build (tests run CLIs in parallel) reads either the old or the new build, never half of one.
 */
export async function buildServer() {
  const started = new Date()
  const esbuild = await import('esbuild')
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'src/main.ts', 'cli/any-gateway': 'src/cli/any-gateway.ts' },
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    // Chunks stay directly in dist/: src/app.ts finds the repository (web/dist) one folder above its own file.
    chunkNames: '[name]-[hash]',
    // No keepNames: it wraps every closure the hot path creates in a defineProperty of its name (about 2 % of the
    // CPU per request), and nothing reads function names; no class is renamed by the bundle (all names are unique).
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  })
  mkdirSync(path.join(DIST, 'cli'), { recursive: true })
  const isEntry = (file) => /[\\/](main|any-gateway)\.js(\.map)?$/.test(file)
  const ordered = [
    ...result.outputFiles.filter((f) => !isEntry(f.path)),
    ...result.outputFiles.filter((f) => isEntry(f.path)),
  ]
  for (const file of ordered) {
    const temporary = `${file.path}.${process.pid}.tmp`
    writeFileSync(temporary, file.contents)
    renameSync(temporary, file.path)
  }
  const current = new Set(result.outputFiles.map((f) => f.path))
  for (const name of readdirSync(DIST)) {
    const file = path.join(DIST, name)
    if (/^chunk-.*\.js(\.map)?$/.test(name) && !current.has(file)) {
      if (Date.now() - statSync(file).mtimeMs > OLD_CHUNK_MS) rmSync(file, { force: true })
    }
  }
  writeFileSync(STAMP, '')
  utimesSync(STAMP, started, started)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ifStale = process.argv.includes('--if-stale')
  if (!ifStale || isServerBuildStale()) {
    if (ifStale) process.stdout.write('Building the server (sources changed since the last build)…\n')
    await buildServer()
  }
}
