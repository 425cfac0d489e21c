/**
 * Plaintext API keys the user has seen in this browser tab (the list endpoint never returns them).
 * Kept in sessionStorage only, so they vanish with the tab.
 */
const STORAGE_KEY = 'playground-keys'

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
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(list.slice(0, 20)))
}

export function forgetKey(id: string): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(read().filter((k) => k.id !== id)))
}

export function keyFor(id: string): string | undefined {
  return read().find((k) => k.id === id)?.key
}
