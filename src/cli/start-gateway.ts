import type { CliCommand } from './cli-command.ts'

export const startGateway: CliCommand = {
  name: 'start',
  summary: 'Start the gateway (the same as npm start, without the dashboard build check)',
  usage: '',
  details: [
    'Runs src/main.ts in this process: configuration from the environment and .env, migrations, bootstrap',
    'superadmin, then it listens on GATEWAY_HOST:GATEWAY_PORT until SIGTERM or SIGINT (graceful shutdown).',
    'The dashboard is served if web/dist exists (npm run build:web, or one npm start, builds it).',
  ],
  options: {},
  positionals: 0,
  run: async () => {
    await import('../main.ts')
    return null
  },
}
