import type { ApiKey } from '../../api/types.ts'

export type KeyStatus = 'frozen' | 'expired' | 'exhausted' | 'active'

export function keyStatus(k: ApiKey, now = Date.now()): KeyStatus {
  if (k.frozen) return 'frozen'
  if (k.expires_at && new Date(k.expires_at).getTime() < now) return 'expired'
  if (k.quota_usd && k.quota_usd > 0 && k.used_usd >= k.quota_usd) return 'exhausted'
  return 'active'
}

export const statusColor: Record<KeyStatus, string> = {
  frozen: 'gray',
  expired: 'orange',
  exhausted: 'red',
  active: 'green',
}
