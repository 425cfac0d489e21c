import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { claimSqliteHolds, HoldsClaimedError, type HoldsClaim } from './claim-sqlite-holds.ts'

describe('claiming a SQLite file for holds in memory', () => {
  let dir: string
  let file: string
  const claims: HoldsClaim[] = []
  const claim = (want: 'memory' | 'database', databasePath = file): HoldsClaim => {
    const c = claimSqliteHolds(databasePath, want)
    if (!c) throw new Error(`no claim for ${databasePath}`)
    claims.push(c)
    return c
  }

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gw-holds-'))
    file = path.join(dir, 'gateway.db')
    // The gateway claims after opening its database, so the file exists.
    writeFileSync(file, '')
  })
  afterEach(() => {
    for (const c of claims.splice(0)) c.release()
    rmSync(dir, { recursive: true, force: true })
  })

  it('gives memory to the first process alone; a second one is refused, whatever it wants', () => {
    expect(claim('memory').kept).toBe('memory')
    expect(() => claim('memory')).toThrow(HoldsClaimedError)
    expect(() => claim('database')).toThrow(/keeps the reservations .* in its memory/)
  })

  it('keeps holds in the rows when another process already reserves through them', () => {
    expect(claim('database').kept).toBe('database')
    expect(claim('database').kept).toBe('database')
    expect(claim('memory').kept).toBe('database')
  })

  it('locks the real file, whichever path names it (a symlink to the database)', () => {
    const alias = path.join(dir, 'current.db')
    symlinkSync(file, alias)
    expect(claim('memory', alias).kept).toBe('memory')
    expect(() => claim('memory')).toThrow(HoldsClaimedError)
  })

  it('claims nothing for an in-memory database, which no other process can open', () => {
    expect(claimSqliteHolds(':memory:', 'memory')).toBeNull()
  })

  it('frees the file when the claim is released', () => {
    const first = claim('memory')
    first.release()
    expect(claim('memory').kept).toBe('memory')
  })

  it('excludes another process, and frees the file when that process dies without releasing', async () => {
    // A child process claims memory, says so, and waits to be killed.
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        '-e',
        // The claim is not kept, as the cluster primary does not keep its own: a collection must not drop the lock.
        `import('${path.resolve('src/infra/db/claim-sqlite-holds.ts')}').then((m) => {
          process.stdout.write(m.claimSqliteHolds(${JSON.stringify(file)}, 'memory').kept + '\\n')
          setInterval(() => globalThis.gc(), 50)
          setTimeout(() => process.exit(0), 20000).unref()
        })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const exited = new Promise((r) => child.once('exit', r))
    try {
      const said = await new Promise<string>((resolve, reject) => {
        child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))
        child.once('exit', (code) => reject(new Error(`child exited ${String(code)}`)))
      })
      expect(said).toBe('memory')
      await new Promise((r) => setTimeout(r, 300))
      expect(() => claim('database')).toThrow(HoldsClaimedError)
      expect(() => claim('memory')).toThrow(HoldsClaimedError)
    } finally {
      // Killed whatever happened above, so a failed assertion cannot leave it running.
      child.kill('SIGKILL')
      await exited
    }
    expect(claim('memory').kept).toBe('memory')
  }, 30_000)
})
