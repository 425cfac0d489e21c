import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/
// Below this a compressed copy saves less than the headers it adds.
const MIN_BYTES = 1024

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    return statSync(p).isDirectory() ? filesUnder(p) : [p]
  })
}

/** Write `.br` and `.gz` siblings of the built text assets; returns how many files were compressed. */
export function precompressDir(dir: string): number {
  let count = 0
  for (const file of filesUnder(dir)) {
    if (!COMPRESSIBLE.test(file)) continue
    let raw: Buffer
    try {
      raw = readFileSync(file)
    } catch (err) {
      // Another build emptying the same folder meanwhile (two e2e suites starting together): its files are gone.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw err
    }
    if (raw.length < MIN_BYTES) continue
    const br = brotliCompressSync(raw, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    })
    try {
      writeFileSync(`${file}.br`, br)
      writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
      throw err
    }
    count++
  }
  return count
}

/**
 * Compress once at build time, at the highest levels, so the server only picks a file by the request's
 * Accept-Encoding (src/http/serve-web.ts) and never compresses per request. See docs/dashboard.md, "Assets".
 */
export function precompress(): Plugin {
  let outDir = ''
  return {
    name: 'precompress',
    apply: 'build',
    configResolved(config) {
      // The folder actually written, also when `--outDir` overrides the config.
      outDir = path.resolve(config.root, config.build.outDir)
    },
    closeBundle(error) {
      // A failed build has no output to compress; its own error is the one to report.
      if (!error && outDir && existsSync(outDir)) precompressDir(outDir)
    },
  }
}
