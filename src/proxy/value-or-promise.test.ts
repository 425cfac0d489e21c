import { describe, expect, it } from 'vitest'
import { thenMaybe } from './value-or-promise.ts'

const double = (n: number) => n * 2
const refuse = (): number => {
  throw new Error('refused')
}

describe('thenMaybe', () => {
  it('calls fn at once on a plain value and returns its result, not a promise', () => {
    let called = false
    const result = thenMaybe(21, (n) => {
      called = true
      return double(n)
    })
    expect(called).toBe(true)
    expect(result).not.toBeInstanceOf(Promise)
    expect(result).toBe(42)
  })

  it('throws synchronously what fn throws on a plain value', () => {
    expect(() => thenMaybe(1, refuse)).toThrow('refused')
  })

  it('chains fn on a promise and answers a promise of its result', async () => {
    const result = thenMaybe(Promise.resolve(21), double)
    expect(result).toBeInstanceOf(Promise)
    await expect(result).resolves.toBe(42)
  })

  it('rejects the promise with what fn throws, or with the value promise’s own rejection', async () => {
    await expect(thenMaybe(Promise.resolve(1), refuse)).rejects.toThrow('refused')
    await expect(thenMaybe(Promise.reject(new Error('load failed')), double)).rejects.toThrow('load failed')
  })

  it('passes on a promise fn returns for a plain value', async () => {
    const result = thenMaybe(21, (n) => Promise.resolve(double(n)))
    expect(result).toBeInstanceOf(Promise)
    await expect(result).resolves.toBe(42)
  })
})
