import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliDecompressSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { AUDIT_WORKER_NICE, createAuditFileWorkers, type AuditFileWorkers } from './audit-file-workers.ts'

/** Field of every thread's stat in this process, from /proc (19: nice value, 41: scheduling policy). */
function threadStatField(field: number): number[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[field - 3])
  })
}
const threadNiceValues = (): number[] => threadStatField(19)
const threadNames = (): string[] =>
  readdirSync('/proc/self/task').map((tid) => readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim())
const SCHED_BATCH = 3
const hasChrt = spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0

describe('audit file workers', () => {
  let workers: AuditFileWorkers | undefined
  let dir: string | undefined
  afterEach(async () => {
    await workers?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('write each record of a batch compressed, from threads that yield the core to the request path', async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-workers-'))
    const before = threadNiceValues().filter((n) => n === AUDIT_WORKER_NICE).length
    const batchBefore = threadStatField(41).filter((p) => p === SCHED_BATCH).length
    const namedBefore = threadNames().filter((n) => n === 'audit-writer').length
    workers = createAuditFileWorkers(2)
    const job = (file: string, json: string) => ({ file, json, data: Buffer.from(json, 'utf8'), quality: 2 })
    const jobs = [1, 2, 3].map((i) =>
      job(
        join(dir!, '2024_05_06', `r${i}.json.br`),
        JSON.stringify({ request_id: `r${i}`, text: '你好 😀 '.repeat(i * 50) }),
      ),
    )
    // Output buffers are sized to the record: a tiny one, and one whose compressed form needs several (300 KB of
    // random text compresses to far more than the 64 KiB cap).
    jobs.push(
      job(join(dir, '2024_05_06', 'r4.json.br'), '{}'),
      job(
        join(dir, '2024_05_06', 'r5.json.br'),
        JSON.stringify({ text: randomBytes(225_000).toString('base64') }),
      ),
    )
    expect(await workers.write(jobs)).toEqual([null, null, null, null, null])
    for (const job of jobs)
      expect(brotliDecompressSync(readFileSync(job.file)).toString('utf8')).toBe(job.json)
    if (process.platform === 'linux') {
      // Only the worker that took the batch has started; it runs at the lower priority, the main thread does not.
      expect(threadNiceValues().filter((n) => n === AUDIT_WORKER_NICE).length).toBe(before + 1)
      expect(threadNiceValues()[0]).toBe(0)
      // Named, so top -H and the benchmark's CPU by thread tell it from V8's helper threads.
      expect(threadNames().filter((n) => n === 'audit-writer').length).toBe(namedBefore + 1)
      // Where chrt is installed it also runs as SCHED_BATCH, so a new batch never preempts the request path.
      if (hasChrt) expect(threadStatField(41).filter((p) => p === SCHED_BATCH).length).toBe(batchBefore + 1)
    }
  })
})
