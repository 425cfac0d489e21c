import type { Role } from '../contracts/users.ts'

export interface Principal {
  username: string
  role: Role
  /** `break-glass`: the fallback login's session, told apart by its own claim (src/infra/crypto/jwt.ts). */
  via: 'jwt' | 'admin-key' | 'break-glass'
}

export type AuthLevel = 'public' | 'user' | 'admin' | 'superadmin'

const RANK: Record<Role, number> = { user: 1, admin: 2, superadmin: 3 }

export function satisfies(principal: Principal, level: Exclude<AuthLevel, 'public'>): boolean {
  return RANK[principal.role] >= RANK[level]
}
