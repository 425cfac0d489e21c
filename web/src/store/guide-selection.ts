import { create } from 'zustand'
import { useAuth } from './auth.ts'

/**
 * The key and model the Home and Guide pages fill their snippets with. Deliberately not persisted: a pasted key
 * lives in this page's memory only (never localStorage or sessionStorage) and is gone on reload or logout.
 */
export interface GuideSelection {
  keyId: string | null
  /** Full keys the user pasted, by key id. */
  pasted: Record<string, string>
  model: string
  setKey: (id: string | null) => void
  paste: (id: string, key: string) => void
  setModel: (model: string) => void
  clear: () => void
}

export const useGuideSelection = create<GuideSelection>()((set) => ({
  keyId: null,
  pasted: {},
  model: '',
  setKey: (keyId) => set({ keyId }),
  paste: (id, key) => set((s) => ({ pasted: { ...s.pasted, [id]: key } })),
  setModel: (model) => set({ model }),
  clear: () => set({ keyId: null, pasted: {}, model: '' }),
}))

// Signing out forgets pasted keys too, so the next person at this browser never sees them.
useAuth.subscribe((s) => {
  if (!s.username) useGuideSelection.getState().clear()
})
