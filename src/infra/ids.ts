import { randomBytes, randomUUID } from 'node:crypto'

export const newId = (): string => randomUUID()

/** Voucher codes: 16 random bytes, URL-safe, so they can be pasted anywhere. */
export const newVoucherCode = (): string => randomBytes(16).toString('base64url')
