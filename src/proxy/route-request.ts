import {
  selectChannels,
  type Provider,
  type RoutableGroup,
  type RouteCandidate,
} from '../domain/routing/select-channels.ts'
import { AppError } from '../domain/errors.ts'
import type { KeyPrincipal } from './key-cache.ts'
import type { RateRule, RoutingSnapshot, Snapshot } from './routing-snapshot.ts'

/** Where a request may go, best first, and the rate rules of the group it is admitted through (the first's). */
export interface Route {
  candidates: RouteCandidate[]
  rules: readonly RateRule[]
}

/**
 * Step 2 (docs/architecture.md): the channels of the key's groups that serve the model on one of `protocols` (the
 * client's own and those it translates to, serving-protocols.ts), in failover order. A superadmin's key bound to no
 * group may use any channel. None: the model is not found. Synchronous while the snapshot and the owner's
 * memberships are cached (the hot path then awaits nothing here); otherwise a promise of the same.
 */
export function routeRequest(
  snapshot: RoutingSnapshot,
  principal: KeyPrincipal,
  model: string,
  protocols: ReadonlySet<Provider>,
  stickyKey: string | undefined,
  now: number,
  random: () => number,
): Route | Promise<Route> {
  const snap = snapshot.get(now)
  if (snap instanceof Promise)
    return snap.then((s) => routeIn(snapshot, s, principal, model, protocols, stickyKey, now, random))
  return routeIn(snapshot, snap, principal, model, protocols, stickyKey, now, random)
}

function routeIn(
  snapshot: RoutingSnapshot,
  snap: Snapshot,
  principal: KeyPrincipal,
  model: string,
  protocols: ReadonlySet<Provider>,
  stickyKey: string | undefined,
  now: number,
  random: () => number,
): Route | Promise<Route> {
  const groups = snapshot.groupsFor(snap, principal, now)
  if (groups instanceof Promise)
    return groups.then((g) => select(snap, g, principal, model, protocols, stickyKey, now, random))
  return select(snap, groups, principal, model, protocols, stickyKey, now, random)
}

function select(
  snap: Snapshot,
  groups: readonly RoutableGroup[],
  principal: KeyPrincipal,
  model: string,
  protocols: ReadonlySet<Provider>,
  stickyKey: string | undefined,
  now: number,
  random: () => number,
): Route {
  const candidates = selectChannels({
    model: model,
    protocols,
    groups,
    channels: snap.channels,
    allowGlobalFallback: principal.role === 'superadmin' && !principal.groupId,
    stickyKey,
    now,
    random,
  })
  if (candidates.length === 0)
    throw new AppError('model_not_found', `No channel available for model ${model}`)
  const group = candidates[0].group
  return { candidates, rules: (group && snap.rulesByGroup.get(group.id)) || NO_RULES }
}

const NO_RULES: readonly RateRule[] = []
