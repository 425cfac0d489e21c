import type { TKey, Vars } from '../i18n/index.ts'
import { splitWindow, usd } from '../lib/format.ts'
import type { PriceUnit } from '../api/types.ts'

type T = (key: TKey, vars?: Vars) => string

export function windowLabel(t: T, sec: number): string {
  const { n, unit } = splitWindow(sec)
  return t(`window.${unit}`, { n })
}

export function limitTypeLabel(t: T, type: string): string {
  switch (type) {
    case 'request_limit':
    case 'token_limit':
    case 'quota_limit':
      return t(`limitType.${type}`)
    default:
      return type
  }
}

export function limitValue(t: T, type: string, v: number): string {
  if (type === 'quota_limit') return usd(v)
  if (type === 'token_limit') return t('limitType.tokensN', { n: v.toLocaleString('en-US') })
  return t('limitType.requestsN', { n: v.toLocaleString('en-US') })
}

export const unitKeys: Record<PriceUnit, TKey> = {
  input_token: 'unit.input_token',
  output_token: 'unit.output_token',
  cache_read_token: 'unit.cache_read_token',
  cache_write_token: 'unit.cache_write_token',
  cache_write_1h_token: 'unit.cache_write_1h_token',
  request: 'unit.request',
  web_search_call: 'unit.web_search_call',
}

export function unitLabel(t: T, unit: string): string {
  return unit in unitKeys ? t(unitKeys[unit as PriceUnit]) : unit
}

export function isPerCall(unit: string): boolean {
  return unit === 'request' || unit === 'web_search_call'
}
