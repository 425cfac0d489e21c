import { errorResponse } from '../../../src/contracts/responses.ts'
import type { TKey } from '../i18n/index.ts'

/**
 * Codes whose server message says no more than the code itself: the dashboard shows them in the page's language.
 * Other codes carry specifics (which field, which name exists already), so their server message is shown.
 */
export const codeMessageKeys: Record<string, TKey> = {
  invalid_credentials: 'error.code.invalid_credentials',
  login_throttled: 'error.code.login_throttled',
  forbidden: 'error.code.forbidden',
  key_frozen_by_admin: 'error.code.key_frozen_by_admin',
  last_superadmin: 'error.code.last_superadmin',
  voucher_used: 'error.code.voucher_used',
  voucher_expired: 'error.code.voucher_expired',
  payload_too_large: 'error.code.payload_too_large',
  internal_error: 'error.code.internal_error',
}

/** This server's refusal `{"error":{"code","message"}}` (src/http/send-error.ts), or undefined for anything else. */
export function readApiError(body: unknown): { code: string; message: string } | undefined {
  let value = body
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value)
    } catch {
      return undefined
    }
  }
  const parsed = errorResponse.safeParse(value)
  return parsed.success ? { code: parsed.data.error.code, message: parsed.data.error.message } : undefined
}
