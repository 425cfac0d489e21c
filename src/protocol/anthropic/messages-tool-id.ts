/**
 * Anthropic accepts tool ids matching `^[a-zA-Z0-9_-]+$` only; other providers mint ids such as
 * `functions.Bash:0` (Kimi/OpenAI-compatible servers) or long Responses ids. The same deterministic rewrite is
 * applied to `tool_use.id` and `tool_result.tool_use_id`, so pairs stay paired within the request
 * (translation-map §1.4, §8 #17). Ids that are already legal pass unchanged, so Anthropic's own `toolu_…` ids
 * round-trip exactly.
 */

const LEGAL = /^[a-zA-Z0-9_-]{1,64}$/
const ILLEGAL_CHAR = /[^a-zA-Z0-9_-]/g
const MAX_LENGTH = 64
/** `_` + 8 hex digits of the original id's hash. */
const SUFFIX_LENGTH = 9

/** FNV-1a 32-bit over the UTF-16 code units: small, pure and stable across runs and processes. */
export function hashFnv1a(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash >>> 0
}

/**
 * A legal id unchanged; otherwise illegal characters become `_` and a hash of the ORIGINAL id is appended (after
 * truncating so the whole stays within 64), so two ids differing only in illegal characters stay distinct.
 */
export function sanitiseToolId(id: string): string {
  if (LEGAL.test(id)) return id
  const suffix = '_' + hashFnv1a(id).toString(16).padStart(8, '0')
  const base = id.replace(ILLEGAL_CHAR, '_').slice(0, MAX_LENGTH - SUFFIX_LENGTH)
  return base + suffix
}
