import type { Logger } from 'pino'
import type { Config } from '../config/config-schema.ts'
import type { Db } from '../infra/db/create-db.ts'
import type { Clock } from '../infra/clock.ts'
import type { UserCache } from '../services/user-cache.ts'
import type { AdminAuditRecorder } from '../services/record-admin-audit.ts'
import type { LdapAuthenticate, LoginThrottle } from '../services/auth/login.ts'
import type { ChannelTester } from '../services/channels/channel-upstream.ts'
import type { RateLimiter } from '../infra/rate-limit/rate-limiter-types.ts'
import type { RuleUsageReader } from '../services/users/my-status.ts'

/** Everything a route needs, built once by the composition root (`src/app.ts`) and replaceable in tests. */
export interface AppDeps {
  config: Readonly<Config>
  db: Db
  clock: Clock
  logger: Logger
  users: UserCache
  audit: AdminAuditRecorder
  ldap?: LdapAuthenticate
  loginThrottle: LoginThrottle
  channelUpstream: ChannelTester
  limiter: RateLimiter
  /** Current use of a group rule for a user (dashboard gauges). */
  ruleUsage: RuleUsageReader
  /** Called after any change that the proxy's caches (keys, channels, groups, prices) must see at once. */
  invalidate: (what: 'keys' | 'channels' | 'groups' | 'prices' | 'users', id?: string) => void
}

/** The database and clock most services take, from the app's dependencies. */
export const serviceDeps = (deps: AppDeps) => ({ db: deps.db.db, clock: deps.clock })
