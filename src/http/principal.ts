import type { Role } from '../contracts/users.ts'

export interface Principal {
  username: string
  role: Role
  via: 'jwt' | 'admin-key'
}

export type AuthLevel = 'public' | 'user' | 'admin' | 'superadmin'

const RANK: Record<Role, number> = { user: 1, admin: 2, superadmin: 3 }

export function satisfies(principal: Principal, level: Exclude<AuthLevel, 'public'>): boolean {
  return RANK[principal.role] >= RANK[level]
}
