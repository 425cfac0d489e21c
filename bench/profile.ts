/**
 * CPU profile of the gateway under the non-streaming load: runs it with `--cpu-prof`, stops it with SIGTERM
 * so that V8 writes the profile, and ranks functions by self time.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { type BenchDb, startGateway } from './gateway.ts'
import { measureLoad, type LoadOptions, waitForQuietCore, warmUp } from './measure.ts'
import { type BuildMapper, loadBuildMaps, loadTsxCache, type SourceMapper } from './source-map.ts'

interface CpuProfileNode {
  id: number
  children?: number[]
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }
  hitCount?: number
}

interface CpuProfile {
  startTime: number
  endTime: number
  nodes: CpuProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileFrame {
  functionName: string
  location: string
  selfMs: number
  percent: number
}

export interface ProfileFile {
  file: string
  selfMs: number
  percent: number
}

export interface ProfileSummary {
  file: string
  /** Busy (non-idle) time sampled in the window. */
  busyMs: number
  idleMs: number
  /** False when the window could not be matched to the profile's clock and the whole profile was used. */
  windowed: boolean
  frames: ProfileFrame[]
  /** Self time per file (or package for node_modules). */
  files: ProfileFile[]
  /**
   * Time charged to the nearest project (`src/`) function on the stack: its own time plus the library and
   * runtime code it calls, not counting other project functions it calls.
   */
  projectFrames: ProfileFrame[]
  rps: number
}

/** Back to the sources: tsx's cached transforms for src/ run as TypeScript, the build's maps for dist/. */
interface Mappers {
  tsx: SourceMapper
  build: BuildMapper
}

function shortLocation(frame: CpuProfileNode['callFrame'], root: string, mappers: Mappers): string {
  const { url, lineNumber, columnNumber, functionName } = frame
  if (!url) return '(native)'
  if (!url.startsWith('file://')) return `${url}:${lineNumber + 1}`
  const absolute = fileURLToPath(url.split('?')[0])
  const file = relative(root, absolute)
  if (file.startsWith('dist/') && file.endsWith('.js')) {
    const mapped = mappers.build(absolute, lineNumber, columnNumber)
    if (mapped) return mapped
  }
  if (/\.[cm]?ts$/.test(absolute)) {
    const line = mappers.tsx.originalLine(absolute, lineNumber, columnNumber, functionName)
    return line === undefined ? `${file} (col ${columnNumber + 1})` : `${file}:${line}`
  }
  return `${file}:${lineNumber + 1}`
}

/** A source file of the project, a package of node_modules, `node:internal`, or `(native)`. */
function groupOf(url: string, root: string): string {
  if (!url) return '(native, GC, program)'
  if (!url.startsWith('file://')) return url.startsWith('node:') ? 'node: core modules' : url
  const file = relative(root, fileURLToPath(url.split('?')[0]))
  const pkg = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)
  return pkg ? `node_modules/${pkg[1]}` : file
}

/**
 * Self time per function (summed over every node of the same function and position), over the samples taken
 * between `fromUs` and `toUs` (monotonic clock, µs; the clock V8 stamps profiles with).
 */
export function summariseProfile(
  profile: CpuProfile,
  root: string,
  top: number,
  fromUs: number,
  toUs: number,
): Omit<ProfileSummary, 'file' | 'rps'> {
  const byId = new Map<number, CpuProfileNode>()
  for (const node of profile.nodes) byId.set(node.id, node)
  const windowed = profile.startTime <= fromUs && profile.endTime >= toUs
  const mappers: Mappers = { tsx: loadTsxCache(), build: loadBuildMaps(root) }
  const parentOf = new Map<number, CpuProfileNode>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node)
  const srcPrefix = `${pathToFileURL(join(root, 'src')).href}/`
  const distPrefix = `${pathToFileURL(join(root, 'dist')).href}/`
  const projectOf = new Map<number, CpuProfileNode | null>()
  const nearestProject = (node: CpuProfileNode): CpuProfileNode | null => {
    const known = projectOf.get(node.id)
    if (known !== undefined) return known
    const parent = parentOf.get(node.id)
    const url = node.callFrame.url
    const found =
      url.startsWith(srcPrefix) || url.startsWith(distPrefix) ? node : parent ? nearestProject(parent) : null
    projectOf.set(node.id, found)
    return found
  }
  const projectUs = new Map<string, { functionName: string; location: string; us: number }>()
  const selfUs = new Map<string, { functionName: string; location: string; us: number }>()
  const fileUs = new Map<string, number>()
  let busyUs = 0
  let idleUs = 0
  let at = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0
    at += dt
    if (windowed && (at < fromUs || at > toUs)) continue
    const node = byId.get(profile.samples[i])
    if (!node) continue
    if (node.callFrame.functionName === '(idle)') {
      idleUs += dt
      continue
    }
    busyUs += dt
    const { functionName, url, lineNumber, columnNumber } = node.callFrame
    const key = `${functionName}|${url}|${lineNumber}|${columnNumber}`
    let entry = selfUs.get(key)
    if (!entry) {
      entry = {
        functionName: functionName || '(anonymous)',
        location: shortLocation(node.callFrame, root, mappers),
        us: 0,
      }
      selfUs.set(key, entry)
    }
    entry.us += dt
    const group = groupOf(url, root)
    fileUs.set(group, (fileUs.get(group) ?? 0) + dt)
    const project = nearestProject(node)
    const projectKey = project
      ? `${project.callFrame.functionName}|${project.callFrame.url}|${project.callFrame.lineNumber}|${project.callFrame.columnNumber}`
      : ''
    let owner = projectUs.get(projectKey)
    if (!owner) {
      owner = project
        ? {
            functionName: project.callFrame.functionName || '(anonymous)',
            location: shortLocation(project.callFrame, root, mappers),
            us: 0,
          }
        : { functionName: '(no src/ frame on the stack)', location: 'fastify, undici, node, GC', us: 0 }
      projectUs.set(projectKey, owner)
    }
    owner.us += dt
  }
  const rank = (entries: Iterable<{ functionName: string; location: string; us: number }>): ProfileFrame[] =>
    [...entries]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({
        functionName: f.functionName,
        location: f.location,
        selfMs: f.us / 1000,
        percent: busyUs > 0 ? (f.us / busyUs) * 100 : 0,
      }))
  const frames = rank(selfUs.values())
  const projectFrames = rank(projectUs.values())
  const files = [...fileUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([file, us]) => ({ file, selfMs: us / 1000, percent: busyUs > 0 ? (us / busyUs) * 100 : 0 }))
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, windowed, frames, files, projectFrames }
}

export async function profileGateway(options: {
  db: BenchDb
  core: number
  upstreamUrl: string
  model: string
  load: LoadOptions
  top: number
  quietWaitMs: number
  /** Unmeasured load before the profiled run. Default 6 s. */
  warmupSeconds?: number
  dataParent?: string
  /** Extra environment for the gateway (e.g. `AUDIT_BODIES`). */
  env?: Record<string, string>
}): Promise<ProfileSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'any-gateway-prof-'))
  try {
    const gateway = await startGateway({
      db: options.db,
      core: options.core,
      upstreamUrl: options.upstreamUrl,
      model: options.model,
      nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      dataParent: options.dataParent,
      env: options.env,
    })
    let rps = 0
    let fromUs = 0
    let toUs = 0
    try {
      const target = {
        name: 'gateway',
        url: gateway.url,
        headers: { authorization: `Bearer ${gateway.key}` },
        pid: gateway.child.pid,
        path: options.load.path,
        plainBody: options.load.body,
        streamBody: options.load.body,
      }
      // Steady state, as in the measured runs: the first seconds of a fresh process are V8 compiling.
      await warmUp(target, options.load, options.warmupSeconds ?? 6)
      await waitForQuietCore(options.core, options.quietWaitMs, () => undefined)
      fromUs = Number(process.hrtime.bigint() / 1000n)
      const result = await measureLoad(target, options.load)
      rps = result.rps
      toUs = Number(process.hrtime.bigint() / 1000n)
    } finally {
      await gateway.stop()
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))
    if (!file) throw new Error('the gateway wrote no .cpuprofile (did it exit on SIGTERM?)')
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile
    return { file, rps, ...summariseProfile(profile, process.cwd(), options.top, fromUs, toUs) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A function name as a table cell: pipes escaped (regular expressions are named by their source), bounded. */
function nameCell(name: string): string {
  const short = name.length > 60 ? `${name.slice(0, 57)}…` : name
  return `\`${short.replace(/\|/g, '\\|')}\``
}

export function renderProfile(summary: ProfileSummary): string {
  const lines = [
    `## CPU profile of the gateway, non-streaming load (${summary.rps.toFixed(0)} requests/s under --cpu-prof)`,
    '',
    `Self time of the top frames as a share of the gateway's busy time ` +
      `(${(summary.busyMs / 1000).toFixed(1)} s busy, ${(summary.idleMs / 1000).toFixed(1)} s idle, ` +
      (summary.windowed ? 'load window only' : 'whole process life, start-up included') +
      '). Main thread only; native work of a JS call (SQLite, syscalls) counts as self time of its caller. ' +
      'src/ lines are mapped back to the TypeScript source through the source maps in the tsx cache. Sampling is ' +
      'by wall clock: while another thread of the process (the audit writers, the thread pool) holds the pinned ' +
      'core, samples land on whatever the main thread was doing, often `postMessage` or `writev`.',
    '',
    '| # | function | file:line | self ms | self % |',
    '|---:|---|---|---:|---:|',
  ]
  summary.frames.forEach((f, i) =>
    lines.push(
      `| ${i + 1} | ${nameCell(f.functionName)} | ${f.location} | ${f.selfMs.toFixed(0)} | ${f.percent.toFixed(1)} |`,
    ),
  )
  lines.push('')
  lines.push(
    'Time by nearest project function (its own time plus the libraries it calls, without other src/ functions):',
  )
  lines.push('')
  lines.push('| # | function | file:line | ms | % |')
  lines.push('|---:|---|---|---:|---:|')
  summary.projectFrames.forEach((f, i) =>
    lines.push(
      `| ${i + 1} | ${nameCell(f.functionName)} | ${f.location} | ${f.selfMs.toFixed(0)} | ${f.percent.toFixed(1)} |`,
    ),
  )
  lines.push('')
  lines.push('Self time by file or package:')
  lines.push('')
  lines.push('| file or package | self ms | self % |')
  lines.push('|---|---:|---:|')
  for (const f of summary.files)
    lines.push(`| ${f.file} | ${f.selfMs.toFixed(0)} | ${f.percent.toFixed(1)} |`)
  lines.push('')
  return lines.join('\n')
}
