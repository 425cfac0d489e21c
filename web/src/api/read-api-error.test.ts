import { describe, expect, it } from 'vitest'
import { ERROR_CODES } from '../../../src/domain/errors.ts'
import { AppError } from '../../../src/domain/errors.ts'
import { translate } from '../i18n/index.ts'
import { codeMessageKeys, readApiError } from './read-api-error.ts'

/** The body src/http/send-error.ts writes for an AppError. */
function serverBody(e: AppError): unknown {
  return { error: { code: e.code, message: e.message, ...(e.details ?? {}) } }
}

describe('readApiError', () => {
  it("reads this server's refusal, as an object or as text, with validation fields", () => {
    const e = new AppError('validation_error', 'Invalid body: name: Too small', {
      fields: [{ field: 'name', message: 'name: Too small' }],
    })
    expect(readApiError(serverBody(e))).toEqual({ code: 'validation_error', message: e.message })
    expect(readApiError(JSON.stringify(serverBody(e)))).toEqual({
      code: 'validation_error',
      message: e.message,
    })
  })

  it('reads nothing from shapes this server never sends', () => {
    expect(readApiError({ detail: 'Not Found' })).toBeUndefined()
    expect(readApiError({ detail: [{ loc: ['body', 'name'], msg: 'field required' }] })).toBeUndefined()
    expect(readApiError({ error: 'plain' })).toBeUndefined()
    expect(readApiError('<html>Bad Gateway</html>')).toBeUndefined()
    expect(readApiError(undefined)).toBeUndefined()
  })

  it('localises only codes of the registry, in both languages', () => {
    for (const [code, key] of Object.entries(codeMessageKeys)) {
      expect(Object.keys(ERROR_CODES)).toContain(code)
      expect(translate('en', key)).not.toBe(key)
      expect(translate('zh', key)).not.toBe(translate('en', key))
    }
  })
})
