import {
  selectChannels,
  type Provider,
  type RoutableGroup,
  type RouteCandidate,
} from '../domain/routing/select-channels.ts'
import { AppError } from '../domain/errors.ts'
import type { KeyPrincipal } from './key-cache.ts'
import type { RateRule, RoutingSnapshot, Snapshot } from './routing-snapshot.ts'
import { thenMaybe, type MaybePromise } from './value-or-promise.ts'

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
): MaybePromise<Route> {
  return thenMaybe(snapshot.get(now), (snap) =>
    thenMaybe(snapshot.groupsFor(snap, principal, now), (groups) =>
      select(snap, groups, principal, model, protocols, stickyKey, now, random),
    ),
  )
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
