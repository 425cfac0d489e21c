import type { CliCommand } from './cli-command.ts'

export const startGateway: CliCommand = {
  name: 'start',
  summary: 'Start the gateway (the same as npm start, without the dashboard build check)',
  usage: '',
  details: [
    "Runs the gateway with npm start's node flags and MALLOC_ARENA_MAX (docs/memory.md; the launcher starts it",
    'as a second process when this one lacks them): configuration from the environment and .env, migrations,',
    'bootstrap superadmin, then it listens on GATEWAY_HOST:GATEWAY_PORT until SIGTERM or SIGINT (graceful shutdown).',
    'The dashboard is served if web/dist exists (npm run build:web, or one npm start, builds it).',
  ],
  options: {},
  positionals: 0,
  run: async () => {
    await import('../main.ts')
    return null
  },
}
