// What `npm start` runs, read from package.json: the environment words before `node` (MALLOC_ARENA_MAX) and node's
// flags (the heap flags of docs/memory.md). `any-gateway start` and the benchmark start the gateway with the same,
// so the flags are written in one place.
import { readFileSync } from 'node:fs'

const ENV_WORD = /^[A-Z_][A-Z0-9_]*=\S*$/

/**
 * A start script's leading `NAME=value` words (the environment sh gives the command) and the command's words.
 * @param {string} script
 * @returns {{ env: Record<string, string>, words: string[] }}
 */
export function splitStartScript(script) {
  const words = script.trim().split(/\s+/).filter(Boolean)
  /** @type {Record<string, string>} */
  const env = {}
  while (words.length > 0 && ENV_WORD.test(words[0])) {
    const word = /** @type {string} */ (words.shift())
    const at = word.indexOf('=')
    env[word.slice(0, at)] = word.slice(at + 1)
  }
  return { env, words }
}

/**
 * `npm start`'s environment words and node's runtime flags (its `--` words before the script, without loaders).
 * @returns {{ env: Record<string, string>, nodeFlags: string[] }}
 */
export function readStartCommand() {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const { env, words } = splitStartScript(String(pkg.scripts?.start ?? ''))
  /** @type {string[]} */
  const nodeFlags = []
  if (words[0] === 'node')
    for (const [i, w] of words.slice(1).entries()) {
      if (!w.startsWith('-')) break
      if (['--import', '--require', '-r'].includes(w) || ['--import', '--require', '-r'].includes(words[i]))
        continue
      nodeFlags.push(w)
    }
  return { env, nodeFlags }
}
