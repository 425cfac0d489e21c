import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Config } from '../config/config-schema.ts'
import { announceReady } from './announce-ready.ts'

describe('announceReady', () => {
  afterEach(() => vi.restoreAllMocks())
  const config = { GATEWAY_PORT: 8003 } as Config
  const printed = (boot: Parameters<typeof announceReady>[1]): string => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    announceReady(config, boot)
    return write.mock.calls.map((c) => String(c[0])).join('')
  }

  it('names the password file, and the kept file of another database when there was one', () => {
    const first = printed({
      createdLocalAdmin: { username: 'admin', passwordFile: '/d/initial-admin-password' },
    })
    expect(first).toContain('password in /d/initial-admin-password')
    expect(first).not.toContain('another database')

    const again = printed({
      createdLocalAdmin: {
        username: 'admin',
        passwordFile: '/d/initial-admin-password',
        earlierPasswordFile: '/d/initial-admin-password.replaced-2026-12-07T23-00-00-000Z',
      },
    })
    expect(again).toContain('made for another database')
    expect(again).toContain('/d/initial-admin-password.replaced-2026-12-07T23-00-00-000Z')
    expect(again).toContain('Give each database its own DATA_DIR')
  })

  it('prints nothing on a start that created no account', () => {
    expect(printed({})).toBe('')
  })
})
