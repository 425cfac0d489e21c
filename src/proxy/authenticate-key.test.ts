import { describe, expect, it } from 'vitest'
import { AppError } from '../domain/errors.ts'
import { authenticateKey } from './authenticate-key.ts'
import type { KeyCache, KeyPrincipal } from './key-cache.ts'

const KEY = `sk-${'a'.repeat(40)}`
const principal: KeyPrincipal = {
  keyId: 'k1',
  keyName: 'k',
  username: 'ann',
  role: 'user',
  userDisabled: false,
  groupId: null,
  frozen: false,
  expiresAt: null,
  allowedModels: null,
  quotaNano: null,
  userUnlimited: true,
  rpm: null,
  tpm: null,
  maxConcurrency: null,
}
const cache = (answer: (key: string) => KeyPrincipal | null | Promise<KeyPrincipal | null>) =>
  ({ lookup: answer }) as unknown as KeyCache
const headers = { authorization: `Bearer ${KEY}` }
const query = new URLSearchParams()

describe('authenticateKey', () => {
  it('answers a cached key synchronously, not as a promise', () => {
    const found = authenticateKey(
      cache(() => principal),
      headers,
      query,
      0,
    )
    expect(found).not.toBeInstanceOf(Promise)
    expect(found).toEqual({ principal, key: KEY })
  })

  it('answers a key the cache must load as a promise, with the same checks', async () => {
    const found = authenticateKey(
      cache(() => Promise.resolve(principal)),
      headers,
      query,
      0,
    )
    expect(found).toBeInstanceOf(Promise)
    await expect(found).resolves.toEqual({ principal, key: KEY })
    const frozen = authenticateKey(
      cache(() => Promise.resolve({ ...principal, frozen: true })),
      headers,
      query,
      0,
    )
    await expect(frozen).rejects.toMatchObject({ code: 'key_frozen' })
  })

  it('throws the refusal synchronously for a cached refusal', () => {
    const call = (p: KeyPrincipal | null) => () =>
      authenticateKey(
        cache(() => p),
        headers,
        query,
        10,
      )
    expect(call(null)).toThrow(AppError)
    expect(call({ ...principal, expiresAt: 5 })).toThrow(/expired/)
    expect(call({ ...principal, userDisabled: true })).toThrow(/disabled/)
    expect(() =>
      authenticateKey(
        cache(() => principal),
        {},
        query,
        0,
      ),
    ).toThrow(/required/)
  })
})
