/** Bucket of a group's rules: per user within the group, or one shared bucket for ownerless keys. */
export function groupScope(groupId: string, username: string | null | undefined): string {
  return username ? `g:${groupId}:u:${username}` : `g:${groupId}:shared`
}

/** Bucket of a key's own limits (rpm, tpm). */
export const keyScope = (keyId: string): string => `k:${keyId}`
