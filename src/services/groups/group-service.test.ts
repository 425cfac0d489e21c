import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, testDbKinds, type TestDatabase } from '../../../test/support/test-databases.ts'
import { createGroup, updateGroup, type GroupDeps } from './group-service.ts'

const kinds = await testDbKinds()

describe.each(kinds)('group names are unique (%s)', (kind) => {
  let tdb: TestDatabase
  let deps: GroupDeps

  beforeAll(async () => {
    tdb = await createTestDatabase(kind)
    deps = { db: tdb.db.db, clock: { now: () => 1 } }
  })
  afterAll(async () => tdb?.drop())

  it('refuses a second group of the same name, on creation and on rename, and keeps a rename to itself', async () => {
    const first = await createGroup(deps, { name: 'team-a' })
    const second = await createGroup(deps, { name: 'team-b' })
    await expect(createGroup(deps, { name: 'team-a' })).rejects.toThrow(
      'A group named "team-a" already exists',
    )
    await expect(updateGroup(deps, second.id, { name: 'team-a' })).rejects.toThrow(
      'A group named "team-a" already exists',
    )
    await expect(updateGroup(deps, first.id, { name: 'team-a', priority: 2 })).resolves.toMatchObject({
      name: 'team-a',
      priority: 2,
    })
  })
})
