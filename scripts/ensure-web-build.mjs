// `npm start` on a fresh clone: build the dashboard once if it has not been built yet.
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
if (
  !existsSync(path.join(root, 'web', 'dist', 'index.html')) &&
  existsSync(path.join(root, 'web', 'vite.config.ts'))
) {
  process.stdout.write('Building the dashboard (first start only)…\n')
  const r = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'web/vite.config.ts',
      '--logLevel',
      'warn',
    ],
    // A NODE_ENV inherited from elsewhere (test runners set `test`) would make Vite bundle React's development build.
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } },
  )
  if (r.status !== 0) process.exit(r.status ?? 1)
}
