import { create } from 'zustand'
import { persist, createJSONStorage } from 'zustand/middleware'
import type { Role } from '../api/types.ts'

/** Sent with every dashboard request: the server's CSRF check for cookie sessions, and asks login for the cookie. */
export const DASHBOARD_HEADER = { 'X-Requested-With': 'any-gateway' } as const

export interface AuthState {
  username: string | null
  role: Role | null
  login: (username: string, role: Role) => void
  setRole: (role: Role) => void
  /** Forgets who is signed in and asks the server to clear the session cookie. */
  logout: () => void
}

/**
 * Who is signed in, for the menus and the route guard. The session itself is an HttpOnly cookie that no script
 * on the page can read; only this non-secret hint is kept in localStorage (`auth-storage`). A stale hint is
 * cleared by the first 401 (see api/client.ts).
 */
export const useAuth = create<AuthState>()(
  persist(
    (set) => ({
      username: null,
      role: null,
      login: (username, role) => set({ username, role }),
      setRole: (role) => set({ role }),
      logout: () => {
        set({ username: null, role: null })
        void fetch('/auth/logout', { method: 'POST', headers: DASHBOARD_HEADER }).catch(() => undefined)
      },
    }),
    {
      name: 'auth-storage',
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ username: s.username, role: s.role }),
      // Version 0 kept the JWT itself here; it is dropped, and that session ends with it.
      version: 1,
      migrate: () => ({ username: null, role: null }),
    },
  ),
)

export function isAdminRole(role: Role | null | undefined): boolean {
  return role === 'admin' || role === 'superadmin'
}
