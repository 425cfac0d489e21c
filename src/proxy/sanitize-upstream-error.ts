/**
 * Upstream error bodies may quote the channel key ("Incorrect API key provided: sk-proj-…"), an internal URL or
 * address. Every string that reaches the client goes through here.
 */
const PATTERNS: [RegExp, string][] = [
  [/sk-[A-Za-z0-9_*-]{6,}/g, 'sk-***'],
  [/AIza[0-9A-Za-z_-]{10,}/g, '***'],
  [/https?:\/\/[^\s"'<>]+/g, '[url]'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '[address]'],
  [/\[[0-9a-fA-F:]+\](?::\d+)?/g, '[address]'],
]

export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***')
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep)
  return out
}

/** Deep-scrubs every string of a parsed JSON error body; keys are kept. */
export function scrubJson(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (depth > 20) return null
  if (typeof value === 'string') return scrubText(value, secrets)
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => scrubJson(v, secrets, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = scrubJson(v, secrets, depth + 1)
    return out
  }
  return value
}
