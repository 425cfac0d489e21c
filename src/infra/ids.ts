import { randomBytes, randomFillSync } from 'node:crypto'

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const pool = Buffer.alloc(4096)
let poolOffset = pool.length

/** Ten random bytes from a pool refilled 4 KiB at a time (one syscall per ~400 ids). */
function randomTen(): number {
  if (poolOffset + 10 > pool.length) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const at = poolOffset
  poolOffset += 10
  return at
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids made later sort later,
 * so rows keyed by them are appended at the end of their B-tree indexes instead of landing on a random page:
 * a busy gateway dirties (and writes to the WAL) a few pages per batch instead of one per row. The 74 random
 * bits keep ids unguessable and unique; the creation time they reveal is in every log line anyway.
 */
export function newTimeOrderedId(now = Date.now()): string {
  const r = randomTen()
  const t = Math.max(0, Math.floor(now))
  const hi = Math.floor(t / 2 ** 16) // upper 32 bits of the 48-bit timestamp
  const lo = t % 2 ** 16
  const h = hi.toString(16).padStart(8, '0')
  return (
    `${h.slice(-8)}-${HEX[lo >> 8]}${HEX[lo & 0xff]}-` +
    `${HEX[0x70 | (pool[r] & 0x0f)]}${HEX[pool[r + 1]]}-` +
    `${HEX[0x80 | (pool[r + 2] & 0x3f)]}${HEX[pool[r + 3]]}-` +
    `${HEX[pool[r + 4]]}${HEX[pool[r + 5]]}${HEX[pool[r + 6]]}${HEX[pool[r + 7]]}${HEX[pool[r + 8]]}${HEX[pool[r + 9]]}`
  )
}

export const newId = (): string => newTimeOrderedId()

/** Voucher codes: 16 random bytes, URL-safe, so they can be pasted anywhere. */
export const newVoucherCode = (): string => randomBytes(16).toString('base64url')
