import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'
import { arcoStyles } from './build/arco-styles.ts'
import { precompress } from './build/precompress.ts'

const webRoot = fileURLToPath(new URL('.', import.meta.url))
const outDir = fileURLToPath(new URL('./dist', import.meta.url))
const arcoRoot = fileURLToPath(new URL('../node_modules/@arco-design/web-react', import.meta.url))
const target = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8003'
// API prefixes proxied to the gateway in `vite dev`. Matched as `^/prefix/` so page routes such as /users or
// /admin-like paths of the SPA are not swallowed by a plain prefix match.
const proxied = ['auth', 'admin', 'user', 'v1', 'v1beta', 'public']

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [arcoStyles(arcoRoot), react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: {
      [`^/(${proxied.join('|')})/`]: { target, changeOrigin: false },
      '^/(health|ready)$': { target, changeOrigin: false },
    },
  },
})
