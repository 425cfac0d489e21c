/**
 * Maps positions in the code tsx hands to V8 (whitespace-minified, one line per module) back to lines of
 * the TypeScript source, using the transforms tsx keeps in its cache folder (`<tmpdir>/tsx-<uid>/`, JSON
 * files of `{ code, map }`). Best effort: when no cached transform matches, the caller keeps the raw position.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

interface CachedTransform {
  code: string
  mappings: string
  mtimeMs: number
  /** Decoded lazily. */
  lines?: Segment[][]
}

/** One mapping of a generated line: [generatedColumn, originalLine, sourceIndex], 0-based. */
type Segment = [number, number, number]

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]))

/** Decodes the VLQ `mappings` of a source map: per generated line, its segments in column order. */
function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = []
  let originalLine = 0
  let source = 0
  for (const lineText of mappings.split(';')) {
    const segments: Segment[] = []
    let column = 0
    for (const segment of lineText.split(',')) {
      if (!segment) continue
      const fields: number[] = []
      let value = 0
      let shift = 0
      for (const char of segment) {
        const digit = DIGIT.get(char) ?? 0
        value += (digit & 31) << shift
        if (digit & 32) shift += 5
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1)
          value = 0
          shift = 0
        }
      }
      column += fields[0] ?? 0
      if (fields.length >= 4) {
        source += fields[1]
        originalLine += fields[2]
        segments.push([column, originalLine, source])
      }
    }
    lines.push(segments)
  }
  return lines
}

export interface SourceMapper {
  /** 1-based line in `path` for a 0-based generated position, or undefined. */
  originalLine(path: string, line: number, column: number, functionName: string): number | undefined
}

export function loadTsxCache(dir = join(tmpdir(), `tsx-${process.getuid?.() ?? 0}`)): SourceMapper {
  const bySource = new Map<string, CachedTransform[]>()
  let files: string[] = []
  try {
    files = readdirSync(dir)
  } catch {
    files = []
  }
  for (const file of files) {
    try {
      const full = join(dir, file)
      const parsed = JSON.parse(readFileSync(full, 'utf8')) as {
        code?: unknown
        map?: { sources?: unknown; mappings?: unknown }
      }
      const sources = parsed.map?.sources
      if (typeof parsed.code !== 'string' || !Array.isArray(sources) || sources.length !== 1) continue
      if (typeof parsed.map?.mappings !== 'string') continue
      const source = String(sources[0])
      const list = bySource.get(source) ?? []
      list.push({ code: parsed.code, mappings: parsed.map.mappings, mtimeMs: statSync(full).mtimeMs })
      bySource.set(source, list)
    } catch {
      // Not a transform (or one being written): skip it.
    }
  }
  for (const list of bySource.values()) list.sort((a, b) => b.mtimeMs - a.mtimeMs)

  /** The newest cached transform whose code has this function starting near the position. */
  function pick(
    path: string,
    line: number,
    column: number,
    functionName: string,
  ): CachedTransform | undefined {
    const candidates = bySource.get(path) ?? []
    for (const candidate of candidates) {
      const lineStart = line === 0 ? 0 : nthLineStart(candidate.code, line)
      if (lineStart < 0) continue
      const at = lineStart + column
      if (at > candidate.code.length) continue
      if (!functionName || functionName === '(anonymous)') return candidate
      const around = candidate.code.slice(
        Math.max(0, at - functionName.length - 40),
        at + functionName.length + 40,
      )
      if (around.includes(functionName)) return candidate
    }
    return undefined
  }

  return {
    originalLine(path, line, column, functionName) {
      const transform = pick(path, line, column, functionName)
      if (!transform) return undefined
      transform.lines ??= decodeMappings(transform.mappings)
      const segment = segmentAt(transform.lines[line], column)
      return segment && segment[1] + 1
    },
  }
}

/**
 * The segment of a generated line that covers `column` (the last one starting at or before it); a position before
 * the first mapping (a module's prologue) takes the first one. Undefined for a line without mappings.
 */
function segmentAt(segments: Segment[] | undefined, column: number): Segment | undefined {
  if (!segments || segments.length === 0) return undefined
  let lo = 0
  let hi = segments.length - 1
  let found = 0
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (segments[mid][0] <= column) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return segments[found]
}

function nthLineStart(text: string, line: number): number {
  let at = 0
  for (let i = 0; i < line; i++) {
    at = text.indexOf('\n', at)
    if (at < 0) return -1
    at++
  }
  return at
}

/**
 * Maps a position in the compiled build (dist/*.js, bundled by scripts/build-server.mjs with a `.map` beside each
 * file) back to `<source>:<line>`, the source relative to the project root; undefined when there is no map.
 */
export type BuildMapper = (file: string, line: number, column: number) => string | undefined

export function loadBuildMaps(root: string): BuildMapper {
  const maps = new Map<string, { sources: string[]; lines: Segment[][] } | null>()
  return (file, line, column) => {
    let map = maps.get(file)
    if (map === undefined) {
      try {
        const parsed = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as {
          sources: string[]
          mappings: string
        }
        const base = join(file, '..')
        map = {
          sources: parsed.sources.map((s) => relative(root, join(base, s))),
          lines: decodeMappings(parsed.mappings),
        }
      } catch {
        map = null
      }
      maps.set(file, map)
    }
    if (!map) return undefined
    const segment = segmentAt(map.lines[line], column)
    return segment && `${map.sources[segment[2]]}:${segment[1] + 1}`
  }
}
