import { describe, expect, it } from 'vitest'
import {
  selectChannels,
  type RoutableChannel,
  type RoutableGroup,
  type SelectInput,
} from './select-channels.ts'

const ch = (id: string, over: Partial<RoutableChannel> = {}): RoutableChannel => ({
  id,
  provider: 'openai',
  weight: 1,
  enabled: true,
  models: new Set(['gpt']),
  mapping: {},
  cooldownUntil: 0,
  ...over,
})
const group = (id: string, priority: number, channelIds: string[]): RoutableGroup => ({
  id,
  priority,
  multiplier: 1,
  channelIds,
})

function input(
  channels: RoutableChannel[],
  groups: RoutableGroup[],
  over: Partial<SelectInput> = {},
): SelectInput {
  let seed = 42
  return {
    model: 'gpt',
    protocols: new Set(['openai']),
    groups,
    channels: new Map(channels.map((c) => [c.id, c])),
    allowGlobalFallback: false,
    now: 1000,
    random: () => (seed = (seed * 16807) % 2147483647) / 2147483647,
    ...over,
  }
}

describe('selectChannels', () => {
  it('takes the first group (by the given priority order) that has an eligible channel, then fails over to the rest', () => {
    const r = selectChannels(
      input(
        [ch('a'), ch('b', { models: new Set(['other']) }), ch('c')],
        [group('g1', 9, ['b']), group('g2', 5, ['a']), group('g3', 1, ['c'])],
      ),
    )
    expect(r.map((c) => [c.channel.id, c.group?.id])).toEqual([
      ['a', 'g2'],
      ['c', 'g3'],
    ])
  })

  it('offers a channel shared by several groups once, through the first of them', () => {
    const r = selectChannels(
      input(
        [ch('a'), ch('b'), ch('c')],
        [group('g1', 9, ['a', 'b']), group('g2', 5, ['b', 'c', 'a']), group('g3', 1, ['c'])],
      ),
    )
    expect(r.map((c) => c.channel.id).sort()).toEqual(['a', 'b', 'c'])
    expect(r.slice(0, 2).every((c) => c.group?.id === 'g1')).toBe(true)
    expect(r[2]).toMatchObject({ group: { id: 'g2' }, channel: { id: 'c' } })
  })

  it('needs no random draw for a group with one eligible channel', () => {
    let draws = 0
    const r = selectChannels(
      input([ch('a'), ch('b', { enabled: false })], [group('g1', 9, ['a', 'b'])], {
        random: () => {
          draws++
          return 0.5
        },
      }),
    )
    expect(r.map((c) => c.channel.id)).toEqual(['a'])
    expect(draws).toBe(0)
  })

  it('maps aliases to the upstream model and skips disabled, zero-weight and wrong-protocol channels', () => {
    const r = selectChannels(
      input(
        [
          ch('a', { models: new Set(), mapping: { gpt: 'gpt-4o-2024' } }),
          ch('d', { enabled: false }),
          ch('z', { weight: 0 }),
          ch('x', { provider: 'anthropic' }),
        ],
        [group('g', 1, ['a', 'd', 'z', 'x'])],
      ),
    )
    expect(r.map((c) => [c.channel.id, c.upstreamModel])).toEqual([['a', 'gpt-4o-2024']])
  })

  it('splits traffic by weight', () => {
    const counts: Record<string, number> = { a: 0, b: 0 }
    const inp = input([ch('a', { weight: 3 }), ch('b', { weight: 1 })], [group('g', 1, ['a', 'b'])])
    for (let i = 0; i < 8000; i++) counts[selectChannels(inp)[0].channel.id]++
    expect(counts.a / 8000).toBeGreaterThan(0.71)
    expect(counts.a / 8000).toBeLessThan(0.79)
  })

  it('puts cooling-down channels last', () => {
    const r = selectChannels(
      input([ch('a', { cooldownUntil: 5000, weight: 100 }), ch('b')], [group('g', 1, ['a', 'b'])]),
    )
    expect(r.map((c) => c.channel.id)).toEqual(['b', 'a'])
  })

  it('sticks one session to one channel while it is healthy', () => {
    const chans = ['a', 'b', 'c', 'd'].map((id) => ch(id))
    const picks = new Set<string>()
    for (let i = 0; i < 50; i++)
      picks.add(
        selectChannels(input(chans, [group('g', 1, ['a', 'b', 'c', 'd'])], { stickyKey: 'session-1' }))[0]
          .channel.id,
      )
    expect(picks.size).toBe(1)
    const sessions = new Set<string>()
    for (let i = 0; i < 50; i++)
      sessions.add(
        selectChannels(input(chans, [group('g', 1, ['a', 'b', 'c', 'd'])], { stickyKey: `s${i}` }))[0].channel
          .id,
      )
    expect(sessions.size).toBeGreaterThan(2)
  })

  it('lets only superadmins fall back to channels outside their groups', () => {
    const chans = [ch('a')]
    expect(selectChannels(input(chans, []))).toEqual([])
    expect(selectChannels(input(chans, [], { allowGlobalFallback: true })).map((c) => c.channel.id)).toEqual([
      'a',
    ])
  })
})
