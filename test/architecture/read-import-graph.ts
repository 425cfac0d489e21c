import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

/** Module file → the project files it imports (type-only imports included: they tie the files' designs together). */
export type ImportGraph = Map<string, string[]>

const SOURCE = /\.(ts|tsx|mts)$/

function listSourceFiles(dir: string): string[] {
  const files: string[] = []
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) files.push(...listSourceFiles(full))
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) files.push(full)
  }
  return files
}

/** A relative specifier as Node and Vite resolve it here: the project writes the extension, older code may not. */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier)
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, 'index.ts'),
    path.join(base, 'index.tsx'),
  ]
  return candidates.find((file) => existsSync(file) && statSync(file).isFile())
}

/**
 * The import graph of every source file under `roots`, read with the TypeScript compiler's own pre-processor:
 * static imports, re-exports, `import()` calls and `import('…')` types. Package imports are left out.
 */
export function readImportGraph(roots: string[]): ImportGraph {
  const graph: ImportGraph = new Map()
  for (const file of roots.flatMap(listSourceFiles)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true)
    const targets = info.importedFiles
      .map((ref) => ref.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolveRelative(file, specifier))
      .filter((target): target is string => target !== undefined)
    graph.set(file, [...new Set(targets)])
  }
  return graph
}

/** Files that import each other, directly or through others, and one closed walk among them (an edge to cut). */
export interface ImportCycle {
  files: string[]
  example: string[]
}

/**
 * The import cycles of a graph: each strongly connected component of two or more files (or a file importing
 * itself). A component can hold several cycles: all its files are listed, with one walk around it as an example.
 */
export function findImportCycles(graph: ImportGraph): ImportCycle[] {
  // Tarjan's algorithm, iterative so a deep import chain cannot overflow the stack.
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const components: string[][] = []
  let next = 0
  const edges = (file: string) => (graph.get(file) ?? []).filter((target) => graph.has(target))

  for (const start of graph.keys()) {
    if (index.has(start)) continue
    const work: { file: string; pending: string[] }[] = []
    const visit = (file: string) => {
      index.set(file, next)
      low.set(file, next++)
      stack.push(file)
      onStack.add(file)
      work.push({ file, pending: edges(file) })
    }
    visit(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]
      const target = frame.pending.shift()
      if (target !== undefined) {
        if (!index.has(target)) visit(target)
        else if (onStack.has(target)) low.set(frame.file, Math.min(low.get(frame.file)!, index.get(target)!))
        continue
      }
      work.pop()
      if (work.length > 0) {
        const parent = work[work.length - 1].file
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.file)!))
      }
      if (low.get(frame.file) !== index.get(frame.file)) continue
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        onStack.delete(member)
        component.push(member)
      } while (member !== frame.file)
      if (component.length > 1 || edges(frame.file).includes(frame.file)) components.push(component)
    }
  }
  return components.map((files) => ({ files: files.sort(), example: walkCycle(graph, files) }))
}

/** One closed walk through a cycle's files, found by a breadth-first search back to its first (sorted) file. */
function walkCycle(graph: ImportGraph, component: string[]): string[] {
  const members = new Set(component)
  const first = [...component].sort()[0]
  const cameFrom = new Map<string, string>()
  const queue = [first]
  while (queue.length > 0) {
    const file = queue.shift()!
    for (const target of graph.get(file) ?? []) {
      if (!members.has(target)) continue
      if (target === first) {
        const walk = [first]
        for (let at: string | undefined = file; at !== undefined && at !== first; at = cameFrom.get(at))
          walk.splice(1, 0, at)
        return [...walk, first]
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, file)
        queue.push(target)
      }
    }
  }
  return [...component, component[0]]
}

/** Every file reachable from the entry files by following imports. */
export function findReachable(graph: ImportGraph, entries: string[]): Set<string> {
  const seen = new Set<string>()
  const queue = [...entries]
  while (queue.length > 0) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    queue.push(...(graph.get(file) ?? []))
  }
  return seen
}
