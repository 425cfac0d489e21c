import { randomBytes } from 'node:crypto'
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'
import type { Settlement } from './settlement.ts'

const PREFIX = 'pending-settlements-'
const SUFFIX = '.jsonl'

/** One settlement as a journal line; its one bigint (the cost) as a decimal string. */
function toLine(settlement: Settlement): string {
  return `${JSON.stringify({ ...settlement, costNano: settlement.costNano.toString() })}\n`
}

function fromLine(line: string): Settlement {
  // A journal written before the key's id was called `keyId` carries it as `tokenId`.
  const { tokenId, ...o } = JSON.parse(line) as Settlement & { costNano: string; tokenId?: string | null }
  return { ...o, keyId: o.keyId ?? tokenId ?? null, costNano: BigInt(o.costNano) }
}

/**
 * Settlements the database refused, on disk in the data folder until they land: a gateway that stops (or crashes)
 * while some still wait writes them at its next start, before the start-up sweep could release their reservations
 * (README, "What the proxy bills and passes on"). One file per gateway run, so processes sharing a folder never
 * write the same file. A settlement holds ids, names, counts and money, no secret.
 */
export function createSettlementJournal(dir: string) {
  const file = path.join(
    dir,
    `${PREFIX}${Date.now()}-${process.pid}-${randomBytes(3).toString('hex')}${SUFFIX}`,
  )
  let written = false
  /** Lines not on disk yet: the failures of one moment (a refused batch) are written with one sync. */
  let buffered: string[] = []
  let scheduled = false
  const writeBuffered = (): void => {
    scheduled = false
    if (buffered.length === 0) return
    const lines = buffered.join('')
    buffered = []
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    const fd = openSync(file, 'a', 0o600)
    try {
      writeSync(fd, lines)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    written = true
  }
  return {
    file,
    /**
     * Keeps the settlement on disk, synced, by the end of this turn of the event loop (with the others refused in
     * it); a failure to write is reported to `onError`.
     */
    record(settlement: Settlement, onError: (err: unknown) => void): void {
      buffered.push(toLine(settlement))
      if (scheduled) return
      scheduled = true
      setImmediate(() => {
        try {
          writeBuffered()
        } catch (err) {
          onError(err)
        }
      })
    },
    /** Writes what is buffered now (the gateway stops). */
    flush(): void {
      writeBuffered()
    },
    /** Every settlement recorded has landed: the file is no longer needed. */
    clear(): void {
      buffered = []
      if (!written) return
      written = false
      try {
        unlinkSync(file)
      } catch {
        // Already gone (another gateway on the same folder wrote its settlements at its start).
      }
    },
  }
}
export type SettlementJournal = ReturnType<typeof createSettlementJournal>

/** The journals of earlier runs in `dir`, oldest first. A line cut short by a crash mid-write is skipped. */
export function readSettlementJournals(dir: string): { file: string; settlements: Settlement[] }[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names
    .filter((n) => n.startsWith(PREFIX) && n.endsWith(SUFFIX))
    .sort()
    .map((name) => {
      const file = path.join(dir, name)
      const settlements: Settlement[] = []
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue
        try {
          settlements.push(fromLine(line))
        } catch {
          // The crash came while this line was written: its settlement was never safe.
        }
      }
      return { file, settlements }
    })
}

/** A journal whose settlements have all landed. */
export function removeSettlementJournal(file: string): void {
  try {
    unlinkSync(file)
  } catch {
    // Removed meanwhile by another gateway on the same folder.
  }
}
