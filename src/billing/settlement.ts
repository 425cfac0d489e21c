import { countPromptTokens, type Usage } from '../protocol/usage/usage.ts'

/**
 * What one request's settlement writes (docs/architecture.md, "settlement"): who pays, what was used and what it
 * cost. Plain values only, so that it can wait in the journal on disk and be written again after a restart.
 */
export interface Settlement {
  requestId: string
  keyId: string | null
  username: string | null
  channelId: string | null
  groupId: string | null
  protocol: string
  endpoint: string
  model: string | null
  upstreamModel: string | null
  usage: Usage
  usageSource: 'reported' | 'estimated' | 'partial' | 'none'
  status: number
  errorCode: string | null
  isStream: boolean
  durationMs: number
  ttftMs: number | null
  costNano: bigint
  coveredByPackage: boolean
  /** A reservation row exists for this request and is released in the same transaction. */
  reserved: boolean
  createdAt: number
  /** The client's address as the gateway saw it; absent in a journal written before it was kept. */
  clientIp?: string | null
}

/** The values of one usage row: the settlement's own fields, with usage in tokens and flags as 0 or 1. */
export type UsageRow = Pick<
  Settlement,
  | 'requestId'
  | 'keyId'
  | 'username'
  | 'channelId'
  | 'groupId'
  | 'protocol'
  | 'endpoint'
  | 'model'
  | 'upstreamModel'
  | 'costNano'
  | 'usageSource'
  | 'status'
  | 'errorCode'
  | 'durationMs'
  | 'ttftMs'
  | 'createdAt'
> & {
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  reasoningTokens: number
  coveredByPackage: number
  isStream: number
  clientIp: string | null
}

export function usageLogRow(s: Settlement): UsageRow {
  const u = s.usage
  return {
    requestId: s.requestId,
    keyId: s.keyId,
    username: s.username,
    channelId: s.channelId,
    groupId: s.groupId,
    protocol: s.protocol,
    endpoint: s.endpoint,
    model: s.model,
    upstreamModel: s.upstreamModel,
    inputTokens: countPromptTokens(u),
    outputTokens: u.outputTokens,
    cacheReadTokens: u.cacheReadTokens,
    cacheWriteTokens: u.cacheWriteTokens + u.cacheWrite1hTokens,
    reasoningTokens: u.reasoningTokens,
    costNano: s.costNano,
    coveredByPackage: s.coveredByPackage ? 1 : 0,
    usageSource: s.usageSource,
    status: s.status,
    errorCode: s.errorCode,
    isStream: s.isStream ? 1 : 0,
    durationMs: Math.round(s.durationMs),
    ttftMs: s.ttftMs === null ? null : Math.round(s.ttftMs),
    createdAt: s.createdAt,
    clientIp: s.clientIp ?? null,
  }
}

/** Whether a settlement takes its cost from the user's balance (and so writes a ledger row). */
export const chargesUser = (s: Settlement): s is Settlement & { username: string } =>
  s.username !== null && s.costNano !== 0n && !s.coveredByPackage
