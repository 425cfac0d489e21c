import type { Redis } from 'ioredis'
import type { LuaScript } from './rate-limit-scripts.ts'

const isNoScript = (e: unknown): boolean => e instanceof Error && e.message.startsWith('NOSCRIPT')

/** EVALSHA, falling back to EVAL (which also caches the script) when the server does not know it yet. */
export async function runLuaScript(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args)
  } catch (e) {
    if (!isNoScript(e)) throw e
    return await redis.eval(script.source, keys.length, ...keys, ...args)
  }
}
