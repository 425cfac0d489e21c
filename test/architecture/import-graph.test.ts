import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findImportCycles, findReachable, readImportGraph, type ImportCycle } from './read-import-graph.ts'

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..')
const describeCycle = ({ files, example }: ImportCycle) =>
  `${files.map((file) => path.relative(REPO_ROOT, file)).join(', ')} (e.g. ${example.map((file) => path.relative(REPO_ROOT, file)).join(' → ')})`

describe('the import graph of src/', () => {
  it('has no cycle: each layer can be read, tested and changed below the ones that use it', () => {
    const cycles = findImportCycles(readImportGraph([path.join(REPO_ROOT, 'src')]))
    expect(cycles.map(describeCycle)).toEqual([])
  })

  it('holds only what the gateway, its CLI or the dashboard runs: helpers that only tests use live in test/support', () => {
    const entries = ['src/main.ts', 'src/cli/any-gateway.ts', 'web/src/main.tsx'].map((file) =>
      path.join(REPO_ROOT, file),
    )
    const graph = readImportGraph([path.join(REPO_ROOT, 'src'), path.join(REPO_ROOT, 'web', 'src')])
    const used = findReachable(graph, entries)
    const unused = [...graph.keys()]
      .filter((file) => file.startsWith(path.join(REPO_ROOT, 'src') + path.sep))
      .filter((file) => !/\.test\.tsx?$/.test(file) && !used.has(file))
    expect(unused.map((file) => path.relative(REPO_ROOT, file))).toEqual([])
  })
})

describe('the cycle finder', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'import-graph-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  function writeModules(folder: string, modules: Record<string, string>): string {
    const root = path.join(dir, folder)
    for (const [name, text] of Object.entries(modules)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true })
      writeFileSync(path.join(root, name), text)
    }
    return root
  }

  it('finds a cycle made of a type-only import, a re-export and a dynamic import, named edge by edge', () => {
    const root = writeModules('cycle', {
      'a.ts': "import type { B } from './b/b.ts'\nexport type A = B\n",
      'b/b.ts': "export { c } from '../c.ts'\nexport type B = string\n",
      'c.ts': "export const c = () => import('./a.ts')\n",
      'leaf.ts': "import { c } from './c.ts'\nexport const leaf = c\n",
    })
    const cycles = findImportCycles(readImportGraph([root]))
    const inRoot = (files: string[]) => files.map((file) => path.relative(root, file))
    expect(cycles.map(({ files, example }) => [inRoot(files), inRoot(example)])).toEqual([
      [
        ['a.ts', 'b/b.ts', 'c.ts'],
        ['a.ts', 'b/b.ts', 'c.ts', 'a.ts'],
      ],
    ])
  })

  it('finds a module importing itself, and none in a graph that only shares dependencies', () => {
    const selfRoot = writeModules('self', { 'self.ts': "import './self.ts'\n" })
    expect(findImportCycles(readImportGraph([selfRoot])).length).toBe(1)

    const diamondRoot = writeModules('diamond', {
      'top.ts': "import './left.ts'\nimport './right.ts'\n",
      'left.ts': "import './bottom.ts'\n",
      'right.ts': "import './bottom.ts'\nimport 'node:fs'\n",
      'bottom.ts': 'export {}\n',
    })
    expect(findImportCycles(readImportGraph([diamondRoot]))).toEqual([])
  })
})
