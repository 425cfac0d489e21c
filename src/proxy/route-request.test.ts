import { describe, expect, it } from 'vitest'
import type { RoutableChannel } from '../domain/routing/select-channels.ts'
import type { KeyPrincipal } from './key-cache.ts'
import { routeRequest } from './route-request.ts'
import type { RoutingSnapshot, Snapshot, SnapshotGroup } from './routing-snapshot.ts'

const channel = {
  id: 'c1',
  provider: 'openai',
  weight: 1,
  enabled: true,
  models: new Set(['gpt']),
  mapping: {},
  cooldownUntil: 0,
}
const group: SnapshotGroup = {
  id: 'g1',
  name: 'g1',
  priority: 1,
  multiplier: 1,
  allVisible: true,
  channelIds: ['c1'],
}
const snap = {
  channels: new Map([['c1', channel as RoutableChannel]]),
  groups: new Map([['g1', group]]),
  groupOrder: [group],
  rulesByGroup: new Map(),
} as unknown as Snapshot
const who = { role: 'user', groupId: null, username: 'ann' } as unknown as KeyPrincipal
const route = (snapshot: Pick<RoutingSnapshot, 'get' | 'groupsFor'>) =>
  routeRequest(snapshot as RoutingSnapshot, who, 'gpt', new Set(['openai']), undefined, 0, () => 0.5)

describe('routeRequest', () => {
  it('routes synchronously while the snapshot and the memberships are cached', () => {
    const r = route({ get: () => snap, groupsFor: () => [group] })
    expect(r).not.toBeInstanceOf(Promise)
    expect(r).toMatchObject({ candidates: [{ channel: { id: 'c1' }, group: { id: 'g1' } }], rules: [] })
  })

  it('answers a promise of the same route when the snapshot or the memberships are being loaded', async () => {
    const loading = route({ get: () => Promise.resolve(snap), groupsFor: () => Promise.resolve([group]) })
    expect(loading).toBeInstanceOf(Promise)
    await expect(loading).resolves.toMatchObject({ candidates: [{ channel: { id: 'c1' } }] })
  })

  it('refuses a model no channel serves, synchronously when nothing had to be loaded', () => {
    expect(() =>
      routeRequest(
        { get: () => snap, groupsFor: () => [group] } as unknown as RoutingSnapshot,
        who,
        'other',
        new Set(['openai']),
        undefined,
        0,
        Math.random,
      ),
    ).toThrow(/No channel available/)
  })
})
