/**
 * Plaintext API keys the user has seen in this browser tab (the list endpoint never returns them).
 * Kept in sessionStorage only, so they vanish with the tab; never in localStorage (on disk in clear) nor in a URL.
 * Tabs of the dashboard that are open at the same time share them over a same-origin BroadcastChannel: a new tab
 * asks, an open tab answers (issue 19 #13). Once the last tab closes, no copy is left. See docs/dashboard.md.
 */
const STORAGE_KEY = 'playground-keys'
const CHANNEL = 'playground-keys'

type TabMessage = { type: 'ask' } | { type: 'keys'; keys: RememberedKey[] } | { type: 'forget'; id?: string }

const listeners = new Set<() => void>()
let channel: BroadcastChannel | null = null

function tabs(): BroadcastChannel | null {
  if (channel || typeof BroadcastChannel === 'undefined') return channel
  channel = new BroadcastChannel(CHANNEL)
  channel.onmessage = (e: MessageEvent<TabMessage>) => {
    const m = e.data
    if (m?.type === 'ask') {
      const keys = read()
      if (keys.length) channel?.postMessage({ type: 'keys', keys } satisfies TabMessage)
    } else if (m?.type === 'keys' && Array.isArray(m.keys)) {
      const known = read()
      const fresh = m.keys.filter(
        (k) => typeof k?.id === 'string' && typeof k.key === 'string' && !known.some((x) => x.id === k.id),
      )
      if (fresh.length) write([...known, ...fresh])
    } else if (m?.type === 'forget') {
      write(m.id === undefined ? [] : read().filter((k) => k.id !== m.id))
    }
  }
  return channel
}

function write(list: RememberedKey[]): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(list.slice(0, 20)))
  for (const l of listeners) l()
}

/** Ask the other open tabs for the keys they hold; `onChange` runs whenever this tab's keys change. */
export function shareKeysAcrossTabs(onChange: () => void): () => void {
  listeners.add(onChange)
  tabs()?.postMessage({ type: 'ask' } satisfies TabMessage)
  return () => listeners.delete(onChange)
}

/** Forget every key in this tab and in the other open tabs (on logout). */
export function forgetAllKeys(): void {
  write([])
  tabs()?.postMessage({ type: 'forget' } satisfies TabMessage)
}

export interface RememberedKey {
  id: string
  name: string
  key: string
}

function read(): RememberedKey[] {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY)
    const parsed: unknown = raw ? JSON.parse(raw) : []
    return Array.isArray(parsed) ? (parsed as RememberedKey[]) : []
  } catch {
    return []
  }
}

export function rememberedKeys(): RememberedKey[] {
  return read()
}

export function rememberKey(entry: RememberedKey): void {
  const list = read().filter((k) => k.id !== entry.id)
  list.unshift(entry)
  write(list)
  tabs()?.postMessage({ type: 'keys', keys: [entry] } satisfies TabMessage)
}

export function forgetKey(id: string): void {
  write(read().filter((k) => k.id !== id))
  tabs()?.postMessage({ type: 'forget', id } satisfies TabMessage)
}

export function keyFor(id: string): string | undefined {
  return read().find((k) => k.id === id)?.key
}
