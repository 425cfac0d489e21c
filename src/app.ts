import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import pino, { type Logger } from 'pino'
import type { Config } from './config/config-schema.ts'
import { createDb, migrate, type Db } from './infra/db/create-db.ts'
import { systemClock, type Clock } from './infra/clock.ts'
import type { AppDeps } from './http/app-deps.ts'
import { createUserCache } from './services/user-cache.ts'
import { createAdminAuditRecorder } from './services/record-admin-audit.ts'
import { createLoginThrottle } from './domain/auth/login-throttle.ts'
import { createLdapAuthenticator } from './services/auth/create-ldap-authenticator.ts'
import { createChannelUpstream } from './services/channels/channel-upstream.ts'
import type { ResolveHost } from './services/channels/check-upstream-address.ts'
import { registerRoutes } from './http/register-routes.ts'
import { sendAdminError } from './http/send-error.ts'
import { isDashboardPath, sendIndex, serveWeb } from './http/serve-web.ts'
import { buildOpenApi } from './http/build-openapi.ts'
import { allRoutes } from './http/routes/all-routes.ts'
import type { RouteDef } from './http/define-route.ts'
import { registerProxyRoutes } from './http/routes/proxy-routes.ts'
import { createFastProxyPath } from './http/fast-proxy-path.ts'
import { isBadHost } from './http/is-bad-host.ts'
import { createRoutingSnapshot } from './proxy/routing-snapshot.ts'
import { createKeyCache } from './proxy/key-cache.ts'
import { createUpstreamDispatchers } from './proxy/upstream-dispatchers.ts'
import { createChannelHealth } from './proxy/channel-health.ts'
import type { ProxyDeps, ProxyOutcome } from './proxy/handle-proxy-request.ts'
import { createPriceCache } from './proxy/price-cache.ts'
import { createBilling } from './billing/create-billing.ts'
import { createRateLimiter } from './infra/rate-limit/create-rate-limiter.ts'
import type { RateLimiter } from './infra/rate-limit/rate-limiter-types.ts'
import { groupScope } from './infra/rate-limit/build-limit-scope.ts'
import { createAuditWriter, type AuditWriter } from './infra/audit/create-audit-writer.ts'
import { boundSlowRequests, watchRequestBody } from './http/bound-slow-requests.ts'
import { createGatewayMetrics, type GatewayMetrics } from './infra/metrics/create-gateway-metrics.ts'
import { createDependencyProbe } from './infra/metrics/probe-dependencies.ts'
import { createModelLabels, createProxyMetricsRecorder } from './proxy/record-proxy-metrics.ts'
import { readSettlementStats } from './billing/settlement-stats.ts'
import { lostReservationStats } from './billing/release-lost-reservations.ts'
import { registerMetricsRoute, type MetricsExposition } from './http/routes/metrics-routes.ts'
import { registerGatewayInstance } from './infra/cluster/gateway-instance.ts'
import { claimSqliteHolds, type HoldsClaim, type HoldsKept } from './infra/db/claim-sqlite-holds.ts'
import type { CacheChange, InvalidationBus } from './infra/cluster/invalidation-bus.ts'
import { recordCacheChanges } from './infra/cluster/record-cache-changes.ts'
import { watchCacheChanges, type CacheChangeWatch } from './infra/cluster/watch-cache-changes.ts'
import { warnOnceAMinute } from './infra/warn-once-a-minute.ts'
import { errorMessage } from './domain/errors.ts'
import { auditDir } from './infra/audit/resolve-audit-path.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Log redaction: no credential header or secret field ever reaches the output. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers["x-admin-key"]',
  'req.headers.cookie',
  '*.password',
  '*.api_key',
  '*.key',
]

export interface BuildOptions {
  config: Readonly<Config>
  clock?: Clock
  logger?: Logger
  db?: Db
  webDir?: string
  /** Observes every proxied request (tests, audit). */
  onProxyFinished?: (outcome: ProxyOutcome) => void
  random?: () => number
  limiter?: RateLimiter
  /** How channel hosts resolve (tests play a DNS server); every resolved address is checked at save and connect time. */
  resolveUpstreamHost?: ResolveHost
  /**
   * Tells other gateway processes what a change made stale, and hands their changes to `apply` (Redis pub/sub or
   * the cluster primary; docs/architecture.md, "Several workers and hosts"). None: this process alone.
   */
  invalidationBus?: (apply: (change: CacheChange) => void, logger: Logger) => Promise<InvalidationBus>
  /** A cluster worker's number: answers carry it as `x-gateway-worker`. */
  workerId?: number
  /** What `/metrics` serves instead of this process's registry (a cluster worker: the primary's totals). */
  metricsExposition?: MetricsExposition
  /**
   * Where this process wants its reservations' holds (docs/architecture.md, "Reservations in memory"): `memory` is
   * taken only on a SQLite file no other gateway process reserves against (claim-sqlite-holds.ts), else the rows.
   * Default `database`.
   */
  holdsKept?: HoldsKept
}

export interface BuiltApp {
  app: FastifyInstance
  deps: AppDeps
  routes: RouteDef[]
  proxy: ProxyDeps
  audit: AuditWriter
  /** This instance's Prometheus families (`/metrics`). */
  metrics: GatewayMetrics
  /** This process's id in `gateway_instances`, which its reservations carry. */
  instanceId: string
  /** Graceful stop: refuse new proxied requests, let streams finish within `graceMs`, drain audit, close. */
  shutdown(graceMs: number): Promise<void>
  close(): Promise<void>
}

export async function buildApp(opts: BuildOptions): Promise<BuiltApp> {
  const { config } = opts
  const clock = opts.clock ?? systemClock
  const logger =
    opts.logger ?? pino({ level: config.LOG_LEVEL, redact: { paths: REDACT_PATHS, censor: '[redacted]' } })
  const db =
    opts.db ??
    createDb({
      kind: config.databaseKind,
      sqlitePath: config.sqlitePath,
      postgresUrl: config.DATABASE_URL,
      preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
      checkpointInBackground: true,
      onCheckpointThreadStopped: (err) =>
        logger.warn({ err: err.message }, 'the WAL checkpoint thread stopped; commits checkpoint again'),
      onIdleConnectionError: (err) =>
        logger.warn({ err: err.message }, 'an idle database connection failed; the pool replaces it'),
    })
  // Before anything writes (migrations included) or reserves: which holds this process may keep, and that no other
  // process contradicts it (claim-sqlite-holds.ts).
  let holdsClaim: HoldsClaim | null = null
  try {
    if (config.databaseKind === 'sqlite')
      holdsClaim = claimSqliteHolds(config.sqlitePath, opts.holdsKept ?? 'database')
  } catch (err) {
    if (!opts.db) await db.close()
    throw err
  }
  const holdsKept: HoldsKept = holdsClaim?.kept ?? 'database'
  if (holdsClaim && opts.holdsKept === 'memory' && holdsKept !== 'memory')
    logger.warn(
      'reservations stay in the database: another gateway process reserves against this SQLite file',
    )
  else if (holdsKept === 'memory')
    logger.info('reservations are held in memory: this process alone reserves against the SQLite file')
  await migrate(db)
  // Read by /metrics; set once billing exists.
  let openHolds = (): number => 0

  const users = createUserCache(db.db, clock)
  const limiter: RateLimiter =
    opts.limiter ??
    createRateLimiter({
      redisUrl: config.REDIS_URL,
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
      failOpen: config.RATE_LIMIT_FAIL_OPEN,
      clock,
      onError: (err) => logger.warn({ err: errorMessage(err) }, 'rate limiter degraded'),
    })
  const invalidateHooks: AppDeps['invalidate'][] = []
  const applyChange = (change: CacheChange) => {
    if (change.what === 'circuit') {
      if (change.id) snapshot.setCooldown(change.id, change.until ?? 0)
      return
    }
    if (change.what === 'users') users.invalidate(change.id)
    for (const hook of invalidateHooks) hook(change.what, change.id)
  }
  // Connected once the caches it feeds exist (below).
  let bus: InvalidationBus | null = null
  let changeWatch: CacheChangeWatch | null = null
  const deps: AppDeps = {
    config,
    db,
    clock,
    logger,
    users,
    audit: createAdminAuditRecorder(db.db, clock),
    ldap: config.ldapEnabled ? createLdapAuthenticator(config, logger) : undefined,
    loginThrottle: createLoginThrottle({
      maxFailuresPerUser: config.LOGIN_MAX_FAILURES,
      maxFailuresPerIp: config.LOGIN_MAX_FAILURES * 5,
      windowMs: config.LOGIN_WINDOW_SEC * 1000,
      maxDelayMs: config.LOGIN_SLOWDOWN_MAX_SEC * 1000,
      now: () => clock.now(),
    }),
    channelUpstream: createChannelUpstream({ resolve: opts.resolveUpstreamHost }),
    limiter,
    ruleUsage: async (rule, username) =>
      limiter.usage(groupScope(rule.group_id, username), {
        id: rule.id,
        limitType: rule.limit_type as 'request_limit',
        windowSec: rule.window_sec,
        limit: 0,
      }),
    invalidate: (what, id) => {
      const change: CacheChange = id === undefined ? { what } : { what, id }
      applyChange(change)
      bus?.publish(change)
      // Also for processes no bus reaches (another gateway on this database without Redis): through the database.
      recordCacheChanges(db.db, [change]).then(
        (ids) => changeWatch?.skip(ids),
        (err: unknown) =>
          logger.warn(
            { err: errorMessage(err) },
            'could not record a cache change; other processes see it when their caches expire',
          ),
      )
    },
  }

  const trustProxy = config.TRUSTED_PROXIES
    ? config.TRUSTED_PROXIES.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : false
  // Proxied POSTs go straight from the HTTP server to the proxy when nothing needs Fastify (see
  // fast-proxy-path.ts); the fast path is installed once the proxy exists. With trusted proxies configured,
  // everything goes through Fastify, which resolves the client address.
  let fastProxy: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null
  const workerTag = opts.workerId === undefined ? null : String(opts.workerId)
  const app = Fastify({
    serverFactory: (handler, fastifyOptions) => {
      const options = fastifyOptions as {
        http?: http.ServerOptions
        keepAliveTimeout?: number
        maxRequestsPerSocket?: number
      }
      const headersMs = config.REQUEST_HEADERS_TIMEOUT_MS
      const server = http.createServer(
        // Node checks the headers bound on this interval (30 s by default), so it is kept well under the bound.
        {
          ...options.http,
          connectionsCheckingInterval: Math.max(250, Math.min(1000, headersMs / 2 || 1000)),
        },
        (req, res) => {
          if (workerTag) res.setHeader('x-gateway-worker', workerTag)
          watchRequestBody(req, config.REQUEST_IDLE_TIMEOUT_MS)
          if (fastProxy?.(req, res)) return
          handler(req, res)
        },
      )
      // What Fastify sets on a server it creates itself, except the timeouts (bound-slow-requests.ts).
      server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000
      boundSlowRequests(server, { idleMs: config.REQUEST_IDLE_TIMEOUT_MS, headersMs })
      if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket
      return server
    },
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy,
    // Graceful shutdown waits for in-flight proxied requests itself (main.ts) before closing; then nothing lingers.
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
    genReqId: () => crypto.randomUUID(),
  }) as unknown as FastifyInstance

  app.addHook('onRequest', async (req, reply) => {
    if (isBadHost(req.headers.host)) {
      return reply.code(400).send({ error: { code: 'bad_request', message: 'Invalid Host header' } })
    }
  })
  app.setErrorHandler((err, req, reply) => sendAdminError(err, req, reply))
  // Action endpoints (link, freeze) are often called with `content-type: application/json` and no body.
  const jsonParser = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined)
    return jsonParser(req, String(body), done)
  })

  const snapshot = createRoutingSnapshot(db.db, config.ENCRYPTION_KEY)
  const keyCache = createKeyCache(db.db)
  const dispatchers = createUpstreamDispatchers({
    resolve: opts.resolveUpstreamHost,
    connections: config.UPSTREAM_CONNECTIONS,
  })
  invalidateHooks.push((what, id) => {
    if (what === 'keys') keyCache.invalidate(id)
    if (what === 'users') {
      if (id) keyCache.invalidateUser(id)
      else keyCache.invalidate()
      snapshot.invalidate()
    }
    if (what === 'channels' || what === 'groups') snapshot.invalidate()
    if (what === 'prices') prices.invalidate()
    if (what === 'channels' || what === 'prices') modelLabels.invalidate()
  })
  if (opts.invalidationBus) bus = await opts.invalidationBus(applyChange, logger)
  // Changes made by other processes (the CLI, gateways no bus reaches) through the database, with or without Redis.
  changeWatch = watchCacheChanges({
    db: db.db,
    apply: applyChange,
    onError: warnOnceAMinute(logger, 'could not read cache changes; caches expire on their own meanwhile'),
  })
  const prices = createPriceCache(db.db)
  // Metrics (README, "Metrics"): counted from each request's finished outcome, gauges read at each scrape.
  const modelLabels = createModelLabels(db.db, () => clock.now())
  const metrics = createGatewayMetrics({
    auditQueueDepth: () => audit.stats().queued,
    dependencies: createDependencyProbe({
      db: db.db,
      redisHealthy: config.REDIS_URL ? () => limiter.health().healthy : undefined,
      ldapUrl: config.ldapEnabled ? config.LDAP_SERVER_URL : undefined,
    }),
    circuits: async () => {
      const now = clock.now()
      const snap = await snapshot.get(now)
      return new Map([...snap.channels.values()].map((c) => [c.name, c.cooldownUntil > now]))
    },
    settlements: readSettlementStats,
    lostReservations: () => ({ ...lostReservationStats }),
    heldInMemory: () => openHolds(),
  })
  const audit: AuditWriter = createAuditWriter({
    dir: auditDir(config.DATA_DIR),
    consumers: config.NUM_LOG_CONSUMERS,
    mode: config.AUDIT_BODIES,
    onMetric: (name) => metrics.recordAudit(name),
    onError: (err) => logger.warn({ err: errorMessage(err) }, 'audit write failed'),
  })
  const inflight = { count: 0, draining: false }
  // This process's reservations carry its id, so the sweep of another process never releases them.
  const instance = await registerGatewayInstance(db.db, (err) =>
    logger.warn({ err: errorMessage(err) }, 'instance heartbeat failed'),
  )
  const proxy: ProxyDeps = {
    db: db.db,
    clock,
    logger,
    snapshot,
    keys: keyCache,
    dispatchers,
    health: createChannelHealth(
      db.db,
      (err) => logger.warn({ err }, 'channel health update failed'),
      // Other processes route around a failing channel too (circuit state shared through the bus).
      (channelId, until) => bus?.publish({ what: 'circuit', id: channelId, until }),
    ),
    prices,
    limiter,
    billing: createBilling({
      db: db.db,
      clock,
      limiter,
      prices,
      logger,
      // Settlements the database refuses wait in DATA_DIR until they land (issue 15: retried, never only logged).
      journalDir: config.DATA_DIR,
      // A reservation the database may still commit after the gateway gave up on it is released once more after
      // the statement bound (release-lost-reservations.ts).
      lateCommitMs: (config.DATABASE_QUERY_TIMEOUT_MS || 60_000) + 5000,
      instanceId: instance.id,
      holdsKept,
    }),
    reserveOutputTokens: config.RESERVE_OUTPUT_TOKENS,
    unpricedPolicy: config.UNPRICED_MODEL_POLICY,
    maxAttempts: config.FAILOVER_ATTEMPTS,
    keepAuditBodies: config.AUDIT_BODIES === 'full',
    inflight,
    // The record step of every proxied request (proxy/record-outcome.ts): its audit record and its metrics.
    audit,
    recordMetrics: createProxyMetricsRecorder(metrics, modelLabels),
    onFinished: opts.onProxyFinished,
    random: opts.random,
  }
  const memoryHolds = proxy.billing.memoryHolds
  if (memoryHolds) openHolds = memoryHolds.open
  // Settlements an earlier run left waiting land before anything (main.ts's sweep) could release their reservations.
  await proxy.billing.settlements.replayLeftovers()
  await modelLabels.refresh()
  await registerProxyRoutes(app, deps, proxy)
  if (!trustProxy) fastProxy = createFastProxyPath(proxy, config.MAX_BODY_BYTES)

  const routes = allRoutes()
  registerRoutes(app, deps, routes)
  registerMetricsRoute(app, deps, opts.metricsExposition ?? metrics.registry)
  const openapi = buildOpenApi(routes, '0.1.0')
  app.get('/openapi.json', async () => openapi)

  const hasWeb = await serveWeb(app, opts.webDir ?? path.join(ROOT, 'web', 'dist'))
  app.setNotFoundHandler((req, reply) => {
    if (hasWeb && isDashboardPath(req.method, req.url)) return sendIndex(reply)
    return reply.code(404).send({ error: { code: 'not_found', message: 'Not found' } })
  })

  return {
    app,
    deps,
    routes,
    proxy,
    audit,
    metrics,
    instanceId: instance.id,
    shutdown: async (graceMs: number) => {
      inflight.draining = true
      changeWatch?.stop()
      const until = Date.now() + graceMs
      while (inflight.count > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50))
      const waiting = await proxy.billing.settlements.flush(Math.max(1000, until - Date.now()))
      if (proxy.billing.settlements.stop() > 0)
        logger.error(
          { settlements: waiting },
          'the database still refuses settlements; the next start writes them',
        )
      await audit.drain(Math.max(1000, until - Date.now()))
      await app.close()
      await dispatchers.close()
      if (!opts.limiter) await limiter.close()
      await bus?.close()
      await audit.close(5000)
      // Settled (or journalled for the next start): nothing of this process is held any more.
      await instance.stop().catch(() => undefined)
      if (!opts.db) await db.close()
      holdsClaim?.release()
    },
    close: async () => {
      changeWatch?.stop()
      await proxy.billing.settlements.flush(2000)
      proxy.billing.settlements.stop()
      await audit.close(5000)
      await app.close()
      await dispatchers.close()
      if (!opts.limiter) await limiter.close()
      await bus?.close()
      await instance.stop().catch(() => undefined)
      if (!opts.db) await db.close()
      holdsClaim?.release()
    },
  }
}
