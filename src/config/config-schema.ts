import os from 'node:os'
import { z } from 'zod'

/** Values that appear in sample configs and tutorials; a deployment using one of them has no secret at all. */
export const PLACEHOLDER_SECRETS = new Set([
  'change-me-in-production',
  'change_me_in_production',
  'changeme',
  'change-me',
  'secret',
  'password',
  'admin',
  'test',
])

function isWeakSecret(value: string): boolean {
  return PLACEHOLDER_SECRETS.has(value.trim().toLowerCase()) || Buffer.byteLength(value, 'utf8') < 32
}

const strongSecret = z
  .string()
  .refine(
    (v) => !isWeakSecret(v),
    'is a known placeholder or shorter than 32 bytes; use at least 32 random bytes',
  )

const emptyAsUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional())
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

/** 32 random bytes as 64 hex characters or base64 (README, *Configuration*: `ENCRYPTION_KEY`). */
const encryptionKey = z.string().refine((v) => {
  if (/^[0-9a-fA-F]{64}$/.test(v)) return true
  const b = Buffer.from(v, 'base64')
  return b.length === 32 && b.toString('base64').replace(/=+$/, '') === v.replace(/=+$/, '')
}, 'must be 32 random bytes as 64 hex characters or base64')

export const configSchema = z
  .object({
    GATEWAY_PORT: int(0, 65535).default(8003),
    GATEWAY_HOST: z.string().default('0.0.0.0'),
    DATA_DIR: z.string().default('./data'),
    DATABASE_URL: optional(z.string()),
    DATABASE_PREPARED_STATEMENTS: bool.default(true),
    DATABASE_CONNECT_TIMEOUT_MS: int(100, 120_000).default(5000),
    DATABASE_QUERY_TIMEOUT_MS: int(0, 3_600_000).default(15_000),
    REDIS_URL: optional(z.string()),
    REDIS_COMMAND_TIMEOUT_MS: int(10, 60_000).default(200),
    RATE_LIMIT_FAIL_OPEN: bool.default(true),
    JWT_SECRET: optional(strongSecret),
    JWT_EXPIRE_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(24),
    ENCRYPTION_KEY: optional(encryptionKey),
    ADMIN_KEY: optional(strongSecret),
    ADMIN_FALLBACK_KEY: optional(strongSecret),
    METRICS_TOKEN: optional(strongSecret),
    SUPERADMIN_USERNAME: optional(z.string().min(1).max(256)),
    LDAP_SERVER_URL: optional(z.string().regex(/^ldaps?:\/\//, 'must start with ldap:// or ldaps://')),
    LDAP_BASE_DN: optional(z.string()),
    LDAP_DOMAIN: optional(z.string()),
    LDAP_USER_DN_TEMPLATE: optional(z.string().includes('{username}')),
    LDAP_BIND_DN: optional(z.string()),
    LDAP_BIND_PASSWORD: optional(z.string()),
    LDAP_USER_FILTER: optional(z.string().includes('{username}')),
    LDAP_TIMEOUT_MS: int(100, 120_000).default(5000),
    LDAP_CA_FILE: optional(z.string()),
    LDAP_STARTTLS: bool.default(false),
    LOGIN_MAX_FAILURES: int(1, 1000).default(10),
    LOGIN_WINDOW_SEC: int(1, 86_400).default(900),
    LOGIN_SLOWDOWN_MAX_SEC: int(1, 3600).default(30),
    TRUSTED_PROXIES: optional(z.string()),
    // Open connections per channel origin: each streamed answer holds one for its whole length, so a cap lower
    // than the concurrent streams of one channel makes the rest queue (docs/channels.md).
    UPSTREAM_CONNECTIONS: int(1, 65_536).default(4096),
    NUM_LOG_CONSUMERS: int(1, 64).default(3),
    AUDIT_BODIES: z.enum(['full', 'metadata', 'off']).default('full'),
    AUDIT_RETENTION_DAYS: int(0, 36_500).default(30),
    SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(30_000),
    // Cluster workers behind one port (docs/architecture.md, "Several workers and hosts"); 1 = one process.
    WORKERS: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(() => os.availableParallelism()),
    RESERVE_OUTPUT_TOKENS: int(0, 10_000_000).default(4096),
    UNPRICED_MODEL_POLICY: z.enum(['free', 'reject']).default('free'),
    FAILOVER_ATTEMPTS: int(1, 10).default(3),
    MAX_BODY_BYTES: int(1024, 1024 * 1024 * 1024).default(32 * 1024 * 1024),
    REQUEST_IDLE_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
    REQUEST_HEADERS_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // Node's switch that stops verifying every TLS certificate in the process (providers, LDAP): channel keys and
    // directory passwords would go to whoever sits on the path. Refused rather than obeyed (docs/security.md).
    NODE_TLS_REJECT_UNAUTHORIZED: optional(
      z.string().refine((v) => v.trim() !== '0', 'must not be 0 (it turns off TLS certificate checks)'),
    ),
  })
  .superRefine((c, ctx) => {
    if (c.JWT_SECRET && c.ENCRYPTION_KEY && c.JWT_SECRET === c.ENCRYPTION_KEY) {
      ctx.addIssue({ code: 'custom', path: ['ENCRYPTION_KEY'], message: 'must differ from JWT_SECRET' })
    }
  })

export type RawConfig = z.infer<typeof configSchema>

export interface Config extends Omit<RawConfig, 'JWT_SECRET' | 'ENCRYPTION_KEY'> {
  JWT_SECRET: string
  ENCRYPTION_KEY: Buffer
  databaseKind: 'sqlite' | 'postgres'
  sqlitePath: string
  ldapEnabled: boolean
}
