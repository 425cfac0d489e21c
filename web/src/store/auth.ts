import { create } from 'zustand'
import { persist, createJSONStorage } from 'zustand/middleware'
import type { Role } from '../api/types.ts'

export interface AuthState {
  token: string | null
  username: string | null
  role: Role | null
  login: (token: string, username: string, role: Role) => void
  setRole: (role: Role) => void
  logout: () => void
}

/** The session: the JWT and who it belongs to, persisted in localStorage under `auth-storage`. */
export const useAuth = create<AuthState>()(
  persist(
    (set) => ({
      token: null,
      username: null,
      role: null,
      login: (token, username, role) => set({ token, username, role }),
      setRole: (role) => set({ role }),
      logout: () => set({ token: null, username: null, role: null }),
    }),
    {
      name: 'auth-storage',
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ token: s.token, username: s.username, role: s.role }),
    },
  ),
)

export function isAdminRole(role: Role | null | undefined): boolean {
  return role === 'admin' || role === 'superadmin'
}
