import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTestDb, send, startCluster, type Answer, type Cluster, type TestDb } from './workers-cluster.ts'

/**
 * Issue 20: money changes raced over two worker processes on one SQLite file (the default configuration). Each
 * request goes on a connection of its own, so the cluster spreads them over both workers; a transaction that read
 * and then wrote used to fail at once with "database is locked" (500) when the other worker wrote meanwhile
 * (src/infra/db/immediate-sqlite-dialect.ts).
 */
describe('issue 20: WORKERS=2 on SQLite, voucher redemptions and balance changes raced over both workers', () => {
  let c: Cluster
  let root: string
  let db: TestDb
  let vic = ''
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'gw-workers-voucher-'))
    c = await startCluster(path.join(root, 'data'), {})
    db = await openTestDb({ sqlitePath: path.join(root, 'data', 'gateway.db') })
    await c.admin('POST', '/admin/users', { username: 'vic', password: 'vic-password-1', quota_usd: 1 })
    await c.admin('POST', '/admin/users', { username: 'una', password: 'una-password-1', quota_usd: 0 })
    const login = async (username: string, password: string) =>
      String((await c.call('POST', '/auth/login', null, { username, password })).access_token)
    vic = await login('vic', 'vic-password-1')
  }, 180_000)
  afterAll(async () => {
    await db?.close()
    await c?.gw.stop()
    if (root) rmSync(root, { recursive: true, force: true })
  })

  const json = (jwt: string, method: string, url: string, body: unknown) =>
    send(
      c.gw.url,
      method,
      url,
      { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
      JSON.stringify(body),
    )
  const balanceNano = async (username: string) =>
    BigInt(
      (
        await db.all<{ q: number | bigint }>('select quota_nano as q from users where username = ?', [
          username,
        ])
      )[0].q,
    )

  it('one redemption of each voucher wins, the others are 409 and none is a 500', async () => {
    const rounds = 4
    const racers = 12
    const before = await balanceNano('vic')
    const workers = new Set<string>()
    for (let round = 0; round < rounds; round++) {
      const voucher = (await c.admin('POST', '/admin/vouchers', { amount_usd: 2.5 })) as { code: string }
      // Meanwhile, admin changes that read the balance before they write it (PATCH reads what it replaces) and
      // top-ups of another user keep the other worker writing.
      const others: Promise<Answer>[] = []
      for (let i = 0; i < 6; i++) {
        others.push(json(c.jwt, 'PATCH', '/admin/users/una', { quota_usd: round * 10 + i }))
        others.push(json(c.jwt, 'POST', '/admin/users/una/top-up', { amount_usd: 0.5 }))
      }
      const redemptions = Array.from({ length: racers }, () =>
        json(vic, 'POST', '/user/vouchers/redeem', { code: voucher.code }),
      )
      const answers = await Promise.all(redemptions)
      const otherAnswers = await Promise.all(others)
      for (const a of [...answers, ...otherAnswers]) workers.add(a.worker)
      const statuses = answers.map((a) => a.status)
      expect(
        statuses.filter((s) => s === 200),
        JSON.stringify(answers),
      ).toHaveLength(1)
      expect(
        statuses.filter((s) => s !== 200).every((s) => s === 409),
        JSON.stringify(answers),
      ).toBe(true)
      expect(
        otherAnswers.filter((a) => a.status !== 200),
        'admin changes raced over both workers all succeed',
      ).toEqual([])
    }
    expect(workers.size).toBe(2)
    // Credited once per voucher, with one ledger row each.
    expect((await balanceNano('vic')) - before).toBe(BigInt(rounds) * 2_500_000_000n)
    const ledger = await db.all<{ n: number; sum: number | bigint }>(
      "select count(*) as n, sum(amount_nano) as sum from balance_ledger where username = 'vic' and kind = 'voucher'",
    )
    expect([Number(ledger[0].n), BigInt(ledger[0].sum)]).toEqual([rounds, BigInt(rounds) * 2_500_000_000n])
    const redeemed = await db.all<{ n: number }>("select count(*) as n from vouchers where used_by = 'vic'")
    expect(Number(redeemed[0].n)).toBe(rounds)
    // Una's ledger sums to her balance: each change recorded what it replaced, none was lost.
    const una = await db.all<{ sum: number | bigint }>(
      "select sum(amount_nano) as sum from balance_ledger where username = 'una'",
    )
    expect(BigInt(una[0].sum)).toBe(await balanceNano('una'))
  }, 180_000)
})
