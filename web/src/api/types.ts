/**
 * Shapes of the gateway's admin and user API, taken from the server's own schemas (src/contracts/responses.ts,
 * the ones /openapi.json documents), so the dashboard never hand-writes a shape the server already knows. Ids are
 * strings, money is USD, times are ISO strings.
 */
import type { z } from 'zod'
import type * as c from '../../../src/contracts/responses.ts'
import type { limitTypes, priceUnits, ruleAppliesTo } from '../../../src/contracts/billing.ts'
import type { providers } from '../../../src/contracts/channels.ts'

export type { Role } from '../../../src/contracts/users.ts'
export type { ListResponse } from '../../../src/contracts/responses.ts'

export type ApiErrorBody = z.infer<typeof c.errorResponse>
export type LoginResponse = z.infer<typeof c.loginResponse>
export type Me = z.infer<typeof c.meResponse>
export type LimitType = (typeof limitTypes)[number]
/** bound_keys: only keys bound to the group (the default); all_keys: also personal keys routed through it. */
export type RuleAppliesTo = (typeof ruleAppliesTo)[number]
export type RuleStatus = z.infer<typeof c.ruleStatus>
export type GroupStatus = z.infer<typeof c.groupStatus>
export type MyStatus = z.infer<typeof c.myStatus>
export type ApiKey = z.infer<typeof c.keyView>
export type GroupRef = z.infer<typeof c.groupRef>
export type Group = z.infer<typeof c.groupView>
export type Provider = (typeof providers)[number]
export type Channel = z.infer<typeof c.channelView>
export type RateLimit = z.infer<typeof c.rateLimitView>
export type PriceUnit = (typeof priceUnits)[number]
export type Price = z.infer<typeof c.priceView>
export type PublicPrice = z.infer<typeof c.publicPrice>
export type Voucher = z.infer<typeof c.voucherView>
export type User = z.infer<typeof c.userView>
export type UsageLog = z.infer<typeof c.usageLog>
export type Overview = z.infer<typeof c.statsOverview>
export type UsageRow = z.infer<typeof c.usageRow>
export type ModelStat = z.infer<typeof c.modelStat>
export type KeyStat = z.infer<typeof c.keyStat>
export type AuditEntry = z.infer<typeof c.auditEntry>
