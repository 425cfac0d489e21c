import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { measureFileCreation, warnIfAuditFolderIsSlow } from './measure-file-creation.ts'

describe('the audit folder’s cost per new file', () => {
  const made: string[] = []
  const tmp = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gw-file-probe-'))
    made.push(dir)
    return dir
  }
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('measures files created in a folder it makes (parents too) and leaves nothing behind', () => {
    const parent = path.join(tmp(), 'data', 'sessions')
    const us = measureFileCreation(parent, 50)
    expect(us).toBeGreaterThan(0)
    expect(Number.isFinite(us)).toBe(true)
    expect(readdirSync(parent)).toEqual([])
  })

  it('warns with the folder and the figure above the threshold, says nothing below it', () => {
    const warned: { obj: object; msg: string }[] = []
    const log = { warn: (obj: object, msg: string) => warned.push({ obj, msg }) }
    const dir = tmp()
    const quiet = warnIfAuditFolderIsSlow(dir, log, { files: 8, slowUs: Number.POSITIVE_INFINITY })
    expect(quiet).toBeGreaterThan(0)
    expect(warned).toEqual([])
    const slow = warnIfAuditFolderIsSlow(dir, log, { files: 8, slowUs: 0 })
    expect(warned).toHaveLength(1)
    expect(warned[0].obj).toEqual({ dir, fileCreateMicros: Math.round(slow ?? NaN) })
    expect(warned[0].msg).toContain('docs/performance.md')
    expect(readdirSync(dir)).toEqual([])
  })

  it('a folder that cannot be made is left to the audit writers to report: no throw, no figure', () => {
    const file = path.join(tmp(), 'not-a-folder')
    writeFileSync(file, 'x')
    const warned: unknown[] = []
    expect(warnIfAuditFolderIsSlow(path.join(file, 'sessions'), { warn: (o) => warned.push(o) })).toBeNull()
    expect(warned).toEqual([])
  })
})
