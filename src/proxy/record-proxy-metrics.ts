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

/**
 * One cell per label combination (up to four values), made on first use: the labels are bounded. The hot path is
 * one Map lookup per label value, each on a string whose hash V8 keeps (no key to build, no rest arguments).
 */
function cells<T>(make: (a: string, b: string, c: string, d: string) => T) {
  const root = new Map<string, Map<string, Map<string, Map<string, T>>>>()
  return (a: string, b = '', c = '', d = ''): T => {
    let byB = root.get(a)
    if (!byB) root.set(a, (byB = new Map<string, Map<string, Map<string, T>>>()))
    let byC = byB.get(b)
    if (!byC) byB.set(b, (byC = new Map<string, Map<string, T>>()))
    let byD = byC.get(c)
    if (!byD) byC.set(c, (byD = new Map<string, T>()))
    let cell = byD.get(d)
    if (cell === undefined) {
      cell = make(a, b, c, d)
      byD.set(d, cell)
    }
    return cell
  }
}

/**
 * Records one finished proxied request (its `ProxyOutcome`) into the gateway's metrics: nothing is counted in
 * the request path itself, and here only into plain-number cells that the scrape folds into prom-client
 * (infra/metrics/fold-metric-counts.ts).
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
  const requests = cells((surface, model, channel, status) =>
    metrics.requests.cell({ surface, model, channel, status }),
  )
  const unauthenticated = cells((surface, status) => metrics.unauthenticated.cell({ surface, status }))
  const duration = cells((surface) => metrics.duration.cell({ surface }))
  const overhead = cells((surface) => metrics.overhead.cell({ surface }))
  const ttfb = cells((surface) => metrics.ttfb.cell({ surface }))
  const upstreamErrors = cells((channel, kind) => metrics.upstreamErrors.cell({ channel, kind }))
  const tokens = cells((model, kind) => metrics.tokens.cell({ model, kind }))
  const spend = cells((model) => metrics.spend.cell({ model }))
  const reservations = cells((outcome) => metrics.reservations.cell({ outcome }))
  const rateLimits = cells((outcome) => metrics.rateLimits.cell({ outcome }))

  const record = (outcome: ProxyOutcome): void => {
    const surface = surfaceOf(outcome.surface)
    const status = String(outcome.status)
    duration(surface).observe(outcome.durationMs / 1000)
    if (outcome.overheadMs !== null) overhead(surface).observe(Math.max(0, outcome.overheadMs) / 1000)
    if (outcome.upstreamErrors)
      for (const e of outcome.upstreamErrors) upstreamErrors(e.channel.name, e.kind).pending++
    if (outcome.rateLimit) rateLimits(outcome.rateLimit).pending++
    if (outcome.reservation) reservations(outcome.reservation).pending++
    if (outcome.principal === null && !(outcome.rejection && KEY_REFUSALS.has(outcome.rejection))) {
      unauthenticated(surface, status).pending++
      return
    }
    const model = models.label(outcome.model, outcome.channel)
    requests(surface, model, outcome.channel?.name ?? NONE, status).pending++
    const s = outcome.settlement
    if (!s) return
    if (s.ttftMs !== null) ttfb(surface).observe(s.ttftMs / 1000)
    const u = s.usage
    // As the usage rows count them: `input` is the whole prompt (cache reads and writes included), `output`
    // includes `reasoning`.
    const input = countPromptTokens(u)
    if (input > 0) tokens(model, 'input').pending += input
    if (u.cacheReadTokens > 0) tokens(model, 'cache_read').pending += u.cacheReadTokens
    const cacheWrite = u.cacheWriteTokens + u.cacheWrite1hTokens
    if (cacheWrite > 0) tokens(model, 'cache_write').pending += cacheWrite
    if (u.outputTokens > 0) tokens(model, 'output').pending += u.outputTokens
    if (u.reasoningTokens > 0) tokens(model, 'reasoning').pending += u.reasoningTokens
    if (s.costNano > 0n) spend(model).pending += Number(s.costNano) / 1e9
  }
  return (outcome: ProxyOutcome): void => {
    try {
      record(outcome)
    } catch {
      // Metrics never break a request's bookkeeping (the audit record and the callers after this one).
    }
  }
}
