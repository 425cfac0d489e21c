import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { removeOldAuditFiles } from './remove-old-audit-files.ts'

let root: string
let dir: string

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'audit-retention-'))
  dir = path.join(root, 'sessions')
  await mkdir(dir)
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

async function day(name: string): Promise<void> {
  await mkdir(path.join(dir, name))
  await writeFile(path.join(dir, name, 'r.json.br'), 'x')
}

describe('removeOldAuditFiles', () => {
  it('removes only day folders whose whole day is older than the retention', async () => {
    for (const d of ['2024_02_28', '2024_02_29', '2024_03_01', '2024_03_30', '2024_03_31']) await day(d)
    // Not day folders: left alone whatever their age.
    await mkdir(path.join(dir, 'notes'))
    await mkdir(path.join(dir, '2024_02_30'))
    await mkdir(path.join(dir, '1999_01_01_extra'))
    await writeFile(path.join(dir, '2001_01_01'), 'a file, not a folder')
    const outside = path.join(root, 'outside')
    await mkdir(outside)
    await writeFile(path.join(outside, 'keep'), 'x')
    await symlink(outside, path.join(dir, '2000_01_01'))

    const removed = await removeOldAuditFiles(dir, 30, new Date('2024-03-31T10:00:00Z'))
    expect(removed).toBe(2)
    expect((await readdir(dir)).sort()).toEqual([
      '1999_01_01_extra',
      '2000_01_01',
      '2001_01_01',
      '2024_02_30',
      '2024_03_01',
      '2024_03_30',
      '2024_03_31',
      'notes',
    ])
    expect(await readdir(outside)).toEqual(['keep'])
  })

  it('keeps everything when retention is 0, and copes with a missing folder', async () => {
    await day('2000_01_01')
    expect(await removeOldAuditFiles(dir, 0, new Date('2024-01-01T00:00:00Z'))).toBe(0)
    expect(await readdir(dir)).toEqual(['2000_01_01'])
    expect(await removeOldAuditFiles(path.join(root, 'absent'), 30, new Date())).toBe(0)
  })

  it('with 1 day of retention keeps today and removes the day before yesterday', async () => {
    for (const d of ['2024_05_04', '2024_05_05', '2024_05_06']) await day(d)
    expect(await removeOldAuditFiles(dir, 1, new Date('2024-05-06T12:00:00Z'))).toBe(1)
    expect((await readdir(dir)).sort()).toEqual(['2024_05_05', '2024_05_06'])
  })
})
