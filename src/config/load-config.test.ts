import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './load-config.ts'

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'gw-config-'))
const strong = 'q'.repeat(16) + 'Z'.repeat(16) + 'x'

describe('loadConfig', () => {
  it('uses the documented defaults and freezes the result', () => {
    const dir = tmp()
    const { config } = loadConfig({ DATA_DIR: dir })
    expect(config.GATEWAY_PORT).toBe(8003)
    expect(config.JWT_EXPIRE_HOURS).toBe(24)
    expect(config.NUM_LOG_CONSUMERS).toBe(3)
    expect(config.databaseKind).toBe('sqlite')
    expect(config.sqlitePath).toBe(path.join(dir, 'gateway.db'))
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('generates secrets once into DATA_DIR with mode 0600 and reuses them', () => {
    const dir = tmp()
    const first = loadConfig({ DATA_DIR: dir })
    expect(first.generatedSecrets).toBe(true)
    const file = path.join(dir, 'secrets.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const second = loadConfig({ DATA_DIR: dir })
    expect(second.generatedSecrets).toBe(false)
    expect(second.config.JWT_SECRET).toBe(first.config.JWT_SECRET)
    expect(second.config.ENCRYPTION_KEY.equals(first.config.ENCRYPTION_KEY)).toBe(true)
    expect(Buffer.byteLength(first.config.JWT_SECRET)).toBeGreaterThanOrEqual(32)
    expect(readFileSync(file, 'utf8')).toContain('jwt_secret')
  })

  it.each(['change-me-in-production', 'changeme', 'secret', 'CHANGEME', 'short-but-not-placeholder'])(
    'refuses the weak secret %s for JWT_SECRET, ADMIN_KEY and ADMIN_FALLBACK_KEY, naming the variable',
    (weak) => {
      for (const name of ['JWT_SECRET', 'ADMIN_KEY', 'ADMIN_FALLBACK_KEY']) {
        expect(() => loadConfig({ DATA_DIR: tmp(), [name]: weak })).toThrow(new RegExp(name))
      }
    },
  )

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ DATA_DIR: tmp(), GATEWAY_PORT: 'eighty' })).toThrow(/GATEWAY_PORT/)
    expect(() => loadConfig({ DATA_DIR: tmp(), AUDIT_BODIES: 'everything' })).toThrow(/AUDIT_BODIES/)
    expect(() => loadConfig({ DATA_DIR: tmp(), LDAP_SERVER_URL: 'http://x' })).toThrow(/LDAP_SERVER_URL/)
    expect(() => loadConfig({ DATA_DIR: tmp(), ENCRYPTION_KEY: 'abc' })).toThrow(/ENCRYPTION_KEY/)
  })

  it('requires JWT_SECRET and ENCRYPTION_KEY with PostgreSQL and never generates them', () => {
    const dir = tmp()
    expect(() => loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://u@h/db' })).toThrow(ConfigError)
    expect(() =>
      loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://u@h/db', JWT_SECRET: strong }),
    ).toThrow(/ENCRYPTION_KEY/)
    const key = 'ab'.repeat(32)
    const { config } = loadConfig({
      DATA_DIR: dir,
      DATABASE_URL: 'postgres://u@h/db',
      JWT_SECRET: strong,
      ENCRYPTION_KEY: key,
    })
    expect(config.databaseKind).toBe('postgres')
    expect(() => statSync(path.join(dir, 'secrets.json'))).toThrow()
  })

  it('refuses the same value for the JWT secret and the encryption key', () => {
    const key = 'ab'.repeat(32)
    expect(() => loadConfig({ DATA_DIR: tmp(), JWT_SECRET: key, ENCRYPTION_KEY: key })).toThrow(
      /ENCRYPTION_KEY/,
    )
  })

  it("accepts the original's SQLAlchemy database URL", () => {
    const { config } = loadConfig(
      { DATA_DIR: tmp(), DATABASE_URL: 'sqlite+aiosqlite:///./data/x.db' },
      '/srv/gw',
    )
    expect(config.sqlitePath).toBe('/srv/gw/data/x.db')
  })
})
