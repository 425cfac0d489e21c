import type { Kysely } from 'kysely'
import type { Database } from '../infra/db/database-types.ts'
import type { GatewayMetrics } from '../infra/metrics/create-gateway-metrics.ts'
import type { ProxyOutcome } from './proxy-types.ts'
import type { ChannelRuntime } from './routing-snapshot.ts'
import { parseJson } from '../infra/db/convert-row-values.ts'
import { countPromptTokens } from '../protocol/usage/usage.ts'
import type { Surface } from '../protocol/surface.ts'

/** Label values for a request that never got that far (no model read, no channel tried). */
const NONE = 'none'
/** A model name nobody configured: counted together, so a client cannot grow the label set. */
const OTHER = 'other'

/** Refusals of a key that exists (frozen, expired, owner disabled): still requests "with a valid key". */
const KEY_REFUSALS = new Set(['key_frozen', 'key_frozen_by_admin', 'key_expired', 'forbidden'])

type Inc = { inc(value?: number): void }
type Observe = { observe(value: number): void }

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k)

/**
 * The configured model names (channels' models and mapped names, exact price-table names), refreshed in the
 * background like the routing snapshot: a label takes only these, anything else is `other`.
 */
export function createModelLabels(db: Kysely<Database>, now: () => number, refreshMs = 5000) {
  let known = new Set<string>()
  let loadedAt = -Infinity
  let loading: Promise<void> | null = null
  /** Bumped by every change of channels or prices; a load begun before it is not trusted after it. */
  let generation = 0
  const refresh = (): Promise<void> => {
    if (loading) return loading
    const gen = generation
    loading = (async () => {
      const at = now()
      // Read from the tables, not through the routing snapshot: loading that early would keep a fresh gateway
      // on an old snapshot for its refresh interval.
      const [channels, global, grouped] = await Promise.all([
        db.selectFrom('channels').select(['models', 'model_mapping']).execute(),
        db.selectFrom('model_prices').select('model_name').distinct().execute(),
        db.selectFrom('group_model_prices').select('model_name').distinct().execute(),
      ])
      const names = new Set<string>()
      for (const ch of channels) {
        for (const m of parseJson<string[]>(ch.models, [])) if (typeof m === 'string') names.add(m)
        for (const m of Object.keys(parseJson<Record<string, string>>(ch.model_mapping, {}))) names.add(m)
      }
      // A glob prices many names: only exact names are labels.
      for (const r of [...global, ...grouped]) if (!r.model_name.includes('*')) names.add(r.model_name)
      known = names
      loadedAt = gen === generation ? at : -Infinity
    })()
      // The database is away: the names known stay, and the next try waits for the refresh interval.
      .catch(() => {
        loadedAt = now()
      })
      .finally(() => {
        loading = null
        if (gen !== generation) void refresh()
      })
    return loading
  }
  return {
    refresh,
    /** Channels or prices changed: reload at once. */
    invalidate(): void {
      generation++
      loadedAt = -Infinity
      void refresh()
    },
    label(model: string | null, channel: ChannelRuntime | null): string {
      if (model === null) return NONE
      // The channel that served it lists it: configured, whatever the refresh has seen.
      if (channel && (channel.models.has(model) || hasOwn(channel.mapping, model))) return model
      if (now() - loadedAt >= refreshMs) void refresh()
      return known.has(model) ? model : OTHER
    },
  }
}
export type ModelLabels = ReturnType<typeof createModelLabels>

/** One memoised child per label combination: the labels are bounded, and the hot path is one Map lookup. */
function children<T>(make: (...labels: string[]) => T) {
  const cache = new Map<string, T>()
  return (...labels: string[]): T => {
    const key = labels.join('\u0000')
    let child = cache.get(key)
    if (!child) {
      child = make(...labels)
      cache.set(key, child)
    }
    return child
  }
}

/**
 * Records one finished proxied request (its `ProxyOutcome`) into the gateway's metrics: nothing is counted in
 * the request path itself.
 */
export function createProxyMetricsRecorder(metrics: GatewayMetrics, models: ModelLabels) {
  const surfaceNames = new Map<Surface, string>()
  const surfaceOf = (surface: Surface): string => {
    let name = surfaceNames.get(surface)
    if (!name) {
      name = `${surface.protocol}/${surface.endpoint}`
      surfaceNames.set(surface, name)
    }
    return name
  }
  const requests = children((surface, model, channel, status) =>
    metrics.requests.labels({ surface, model, channel, status }),
  )
  const unauthenticated = children((surface, status) => metrics.unauthenticated.labels({ surface, status }))
  const duration = children<Observe>((surface) => metrics.duration.labels({ surface }))
  const overhead = children<Observe>((surface) => metrics.overhead.labels({ surface }))
  const ttfb = children<Observe>((surface) => metrics.ttfb.labels({ surface }))
  const upstreamErrors = children<Inc>((channel, kind) => metrics.upstreamErrors.labels({ channel, kind }))
  const tokens = children<Inc>((model, kind) => metrics.tokens.labels({ model, kind }))
  const spend = children<Inc>((model) => metrics.spend.labels({ model }))
  const reservations = children<Inc>((outcome) => metrics.reservations.labels({ outcome }))
  const rateLimits = children<Inc>((outcome) => metrics.rateLimits.labels({ outcome }))

  const record = (outcome: ProxyOutcome): void => {
    const surface = surfaceOf(outcome.surface)
    const status = String(outcome.status)
    duration(surface).observe(outcome.durationMs / 1000)
    if (outcome.overheadMs !== null) overhead(surface).observe(Math.max(0, outcome.overheadMs) / 1000)
    if (outcome.upstreamErrors)
      for (const e of outcome.upstreamErrors) upstreamErrors(e.channel.name, e.kind).inc()
    if (outcome.rateLimit) rateLimits(outcome.rateLimit).inc()
    if (outcome.reservation) reservations(outcome.reservation).inc()
    if (outcome.principal === null && !(outcome.rejection && KEY_REFUSALS.has(outcome.rejection))) {
      unauthenticated(surface, status).inc()
      return
    }
    const model = models.label(outcome.model, outcome.channel)
    requests(surface, model, outcome.channel?.name ?? NONE, status).inc()
    const s = outcome.settlement
    if (!s) return
    if (s.ttftMs !== null) ttfb(surface).observe(s.ttftMs / 1000)
    const u = s.usage
    // As the usage rows count them: `input` is the whole prompt (cache reads and writes included), `output`
    // includes `reasoning`.
    const input = countPromptTokens(u)
    if (input > 0) tokens(model, 'input').inc(input)
    if (u.cacheReadTokens > 0) tokens(model, 'cache_read').inc(u.cacheReadTokens)
    const cacheWrite = u.cacheWriteTokens + u.cacheWrite1hTokens
    if (cacheWrite > 0) tokens(model, 'cache_write').inc(cacheWrite)
    if (u.outputTokens > 0) tokens(model, 'output').inc(u.outputTokens)
    if (u.reasoningTokens > 0) tokens(model, 'reasoning').inc(u.reasoningTokens)
    if (s.costNano > 0n) spend(model).inc(Number(s.costNano) / 1e9)
  }
  return (outcome: ProxyOutcome): void => {
    try {
      record(outcome)
    } catch {
      // Metrics never break a request's bookkeeping (the audit record and the callers after this one).
    }
  }
}
