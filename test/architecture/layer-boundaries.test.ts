import path from 'node:path'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..')

/**
 * The project's own eslint.config.js, asked about one import at a time. Type-aware rules are switched off: the
 * files named here need not exist, and the boundaries are syntax (`no-restricted-imports`).
 */
const eslint = new ESLint({ cwd: REPO_ROOT, overrideConfig: tseslint.configs.disableTypeChecked })

async function restrictedImports(file: string, importLine: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${importLine}\nexport const used = [x]\n`, {
    filePath: path.join(REPO_ROOT, file),
  })
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('the layers’ directions fail lint when crossed', () => {
  // The first lint loads the config and its plugins (seconds on a busy machine): done once, within the hook's time.
  beforeAll(() => restrictedImports('src/new-file.ts', "import { x } from './infra/clock.ts'"))

  const crossings: [string, string, string][] = [
    ['services ↛ http', 'src/services/users/new-file.ts', "import type { x } from '../../http/app-deps.ts'"],
    ['services ↛ fastify', 'src/services/logs/new-file.ts', "import type { x } from 'fastify'"],
    ['proxy ↛ http', 'src/proxy/new-file.ts', "import { x } from '../http/routes/proxy-routes.ts'"],
    ['billing ↛ proxy', 'src/billing/new-file.ts', "import type { x } from '../proxy/proxy-types.ts'"],
    ['infra ↛ services', 'src/infra/db/new-file.ts', "import { x } from '../../services/user-cache.ts'"],
    ['infra ↛ proxy', 'src/infra/new-file.ts', "export { x } from '../proxy/proxy-types.ts'"],
    ['infra ↛ http', 'src/infra/audit/new-file.ts', "import { x } from '../../http/principal.ts'"],
    ['domain ↛ infra', 'src/domain/routing/new-file.ts', "import { x } from '../../infra/clock.ts'"],
    ['routes ↛ kysely', 'src/http/routes/new-routes.ts', "import { sql as x } from 'kysely'"],
    ['protocol stays pure', 'src/protocol/openai/new-file.ts', "import { x } from 'node:fs'"],
  ]
  it.each(crossings)('%s', async (_name, file, importLine) => {
    expect(await restrictedImports(file, importLine)).toHaveLength(1)
  })

  it('lets the allowed directions through, and tests assemble layers freely', async () => {
    const allowed: [string, string][] = [
      ['src/http/routes/new-routes.ts', "import { x } from '../../services/user-cache.ts'"],
      ['src/proxy/new-file.ts', "import { x } from '../billing/settlement.ts'"],
      ['src/services/new-file.ts', "import { x } from '../infra/clock.ts'"],
      ['src/infra/db/new-file.test.ts', "import { x } from '../../services/user-cache.ts'"],
    ]
    for (const [file, importLine] of allowed) expect(await restrictedImports(file, importLine)).toEqual([])
  })
})
