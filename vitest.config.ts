import { defineConfig } from 'vitest/config'

/**
 * Two groups: the suite, then the soak on its own. The soak judges memory and event-loop delay against their level
 * after warm-up (README, Soak); run beside hundreds of other test files, the machine's changing load would decide
 * those verdicts instead of the gateway.
 */
const SOAK = 'test/ops/soak.test.ts'

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/**/*.test.{ts,tsx}'],
          exclude: [SOAK, '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'soak', include: [SOAK], sequence: { groupOrder: 1 } } },
    ],
  },
})
