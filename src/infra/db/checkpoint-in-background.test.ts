import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import SQLite from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { checkpointInBackground, FALLBACK_PAGES } from './checkpoint-in-background.ts'

const PAGE = 4096
const COMMITS = 1500
const dirs: string[] = []

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function openDatabase(): { sqlite: SQLite.Database; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ckpt-'))
  dirs.push(dir)
  const file = path.join(dir, 'test.db')
  const sqlite = new SQLite(file)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.exec('CREATE TABLE pages (data BLOB NOT NULL)')
  return { sqlite, file }
}

/** COMMITS small transactions of a page of new data each (a few WAL frames: the row's page, the root, page 1). */
function commitPages(sqlite: SQLite.Database): void {
  const insert = sqlite.prepare('INSERT INTO pages (data) VALUES (?)')
  const row = Buffer.alloc(PAGE - 100, 7)
  for (let i = 0; i < COMMITS; i++) insert.run(row)
}

const size = (file: string): number => statSync(file).size

/**
 * Whether every frame of the WAL is in the database file: the wal-index (the `-shm` file, sqlite.org/walformat.html)
 * holds the last valid frame (mxFrame, offset 16) and how many frames checkpoints copied (nBackfill, offset 96), in
 * the machine's byte order.
 */
function fullyCheckpointed(file: string): boolean {
  const index = readFileSync(`${file}-shm`).subarray(0, 136)
  const read = (offset: number) =>
    os.endianness() === 'LE' ? index.readUInt32LE(offset) : index.readUInt32BE(offset)
  return read(16) > 0 && read(96) === read(16)
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20)))
    if (check()) return true
  return check()
}

describe('checkpointInBackground', () => {
  it('by default a commit past 1,000 WAL pages checkpoints inside itself (the control)', () => {
    const { sqlite, file } = openDatabase()
    commitPages(sqlite)
    // The WAL restarted after the commit that checkpointed: it never held all the pages at once, and the database
    // file got them.
    expect(size(`${file}-wal`)).toBeLessThan(COMMITS * PAGE)
    expect(size(file)).toBeGreaterThan(900 * PAGE)
    sqlite.close()
  })

  it("leaves the connection's commits to append only, and checkpoints on its own thread", async () => {
    const { sqlite, file } = openDatabase()
    // A long interval, so that the burst below cannot meet the thread's first checkpoint.
    const stoppedOnItsOwn: Error[] = []
    const checkpoints = checkpointInBackground(sqlite, file, 3000, (e) => stoppedOnItsOwn.push(e))
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(FALLBACK_PAGES)
    commitPages(sqlite)
    // No commit checkpointed: every page is still in the WAL, none in the database file.
    const walAfterBurst = size(`${file}-wal`)
    expect(walAfterBurst).toBeGreaterThanOrEqual(COMMITS * PAGE)
    expect(size(file)).toBeLessThan(10 * PAGE)
    expect(fullyCheckpointed(file)).toBe(false)
    // The thread's checkpoint copies them into the database file, while this connection does nothing.
    expect(await until(() => fullyCheckpointed(file), 15_000)).toBe(true)
    expect(size(file)).toBeGreaterThanOrEqual(COMMITS * PAGE)
    // The next commits start the WAL over instead of growing it.
    commitPages(sqlite)
    expect(size(`${file}-wal`)).toBeLessThan(walAfterBurst * 1.1)
    await checkpoints.stop()
    // Asked to stop: nothing to report, and the connection's default is back.
    expect(stoppedOnItsOwn).toEqual([])
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000)
    sqlite.close()
  }, 30_000)

  it('gives the checkpoints back to the connection when its thread cannot open the database', async () => {
    const { sqlite, file } = openDatabase()
    const heard: Error[] = []
    const checkpoints = checkpointInBackground(sqlite, path.join(path.dirname(file), 'missing.db'), 50, (e) =>
      heard.push(e),
    )
    expect(await until(() => sqlite.pragma('wal_autocheckpoint', { simple: true }) === 1000, 10_000)).toBe(
      true,
    )
    expect(heard).toHaveLength(1)
    expect(heard[0].message).toMatch(/SQLITE_CANTOPEN/)
    await checkpoints.stop()
    expect(heard).toHaveLength(1)
    sqlite.close()
  }, 15_000)
})
