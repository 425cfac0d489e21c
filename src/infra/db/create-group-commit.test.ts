import { describe, expect, it } from 'vitest'
import { createGroupCommit, forMilliseconds, untilNextTick } from './create-group-commit.ts'

/** A recording writer: which way each item was written, and batches that fail when they hold a bad item. */
function recorder(options: { withOne: boolean; maxBatch?: number }) {
  const log: string[] = []
  const submit = createGroupCommit<number, string>({
    gather: untilNextTick,
    maxBatch: options.maxBatch ?? 256,
    writeOne: options.withOne
      ? async (n) => {
          log.push(`one ${n}`)
          if (n < 0) throw new Error(`bad ${n}`)
          return `one:${n}`
        }
      : undefined,
    async writeBatch(items) {
      log.push(`batch ${items.join(',')}`)
      if (items.some((n) => n < 0)) throw new Error('batch rolled back')
      return items.map((n) => `batch:${n}`)
    },
    async writeAlone(n) {
      log.push(`alone ${n}`)
      if (n < 0) throw new Error(`bad ${n}`)
      return `alone:${n}`
    },
  })
  return { log, submit }
}

describe('createGroupCommit', () => {
  it('writes what arrives in one tick as one batch, in arrival order, each caller getting its own result', async () => {
    const { log, submit } = recorder({ withOne: true })
    const results = await Promise.all([1, 2, 3].map((n) => submit(n)))
    expect(results).toEqual(['batch:1', 'batch:2', 'batch:3'])
    expect(log).toEqual(['batch 1,2,3'])
  })

  it('takes the single-item way for a batch of one, and only where one is given', async () => {
    const withOne = recorder({ withOne: true })
    expect(await withOne.submit(7)).toBe('one:7')
    expect(withOne.log).toEqual(['one 7'])
    const without = recorder({ withOne: false })
    expect(await without.submit(7)).toBe('batch:7')
    expect(without.log).toEqual(['batch 7'])
  })

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const { log, submit } = recorder({ withOne: true })
    const settled = await Promise.allSettled([1, -2, 3].map((n) => submit(n)))
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'alone:1',
      'bad -2',
      'alone:3',
    ])
    expect(log).toEqual(['batch 1,-2,3', 'alone 1', 'alone -2', 'alone 3'])
  })

  it('a failing single-item write fails its caller and is not retried', async () => {
    const { log, submit } = recorder({ withOne: true })
    await expect(submit(-1)).rejects.toThrow('bad -1')
    expect(log).toEqual(['one -1'])
  })

  it('splits a burst into batches of at most maxBatch, and items arriving during a flush join the next one', async () => {
    const { log, submit } = recorder({ withOne: true, maxBatch: 2 })
    const first = [1, 2, 3, 4, 5].map((n) => submit(n))
    // Arrives while the first flush is waiting for its tick: joins it.
    const late = submit(6)
    expect(await Promise.all([...first, late])).toEqual([
      'batch:1',
      'batch:2',
      'batch:3',
      'batch:4',
      'batch:5',
      'batch:6',
    ])
    expect(log).toEqual(['batch 1,2', 'batch 3,4', 'batch 5,6'])
    expect(await submit(8)).toBe('one:8')
    expect(log.at(-1)).toBe('one 8')
  })

  it('gathers for the given milliseconds before a batch', async () => {
    const log: number[][] = []
    const submit = createGroupCommit<number, number>({
      gather: forMilliseconds(30),
      maxBatch: 256,
      writeBatch: async (items) => {
        log.push([...items])
        return [...items]
      },
      writeAlone: async (n) => n,
    })
    const a = submit(1)
    await new Promise((r) => setTimeout(r, 10))
    const b = submit(2)
    expect(await Promise.all([a, b])).toEqual([1, 2])
    // Both within the 30 ms window: one batch.
    expect(log).toEqual([[1, 2]])
  })

  it('issue 15 defect 12: refuses a whole batch at once when its error would fail every item alone too', async () => {
    const log: string[] = []
    const down = new Error('database is locked')
    const submit = createGroupCommit<number, number>({
      gather: untilNextTick,
      maxBatch: 256,
      async writeBatch(items) {
        log.push(`batch ${items.join(',')}`)
        throw down
      },
      async writeAlone(n) {
        log.push(`alone ${n}`)
        throw down
      },
      failsWhole: (err) => err === down,
    })
    const results = await Promise.allSettled([1, 2, 3].map((n) => submit(n)))
    expect(results.map((r) => (r.status === 'rejected' ? r.reason : r.value))).toEqual([down, down, down])
    expect(log).toEqual(['batch 1,2,3'])
  })
})
