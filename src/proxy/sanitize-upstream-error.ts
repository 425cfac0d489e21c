import type { SseEvent } from '../protocol/sse/parse-sse-stream.ts'

/**
 * Upstream error bodies may quote the channel key ("Incorrect API key provided: sk-proj-…"), an internal URL,
 * host or address. Every upstream error text the gateway passes on goes through here once, where the answer is
 * recorded: the client, the stream, the audit record and so every log view get the same sanitised text.
 */
const PATTERNS: [RegExp, string][] = [
  [/sk-[A-Za-z0-9_*-]{6,}/g, 'sk-***'],
  [/AIza[0-9A-Za-z_-]{10,}/g, '***'],
  [/https?:\/\/[^\s"'<>]+/g, '[url]'],
  // A bracketed IPv6 address has a colon; `tools[0]` or `messages[3]` (a field path in a message) does not.
  [/\[(?=[0-9a-fA-F.]*:)[0-9a-fA-F:.]+\](?::\d+)?/g, '[address]'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '[address]'],
  // Host and port without a scheme (`backend-7.svc:8000`, `localhost:11434`).
  [/\b(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+):\d{2,5}\b/g, '[address]'],
  // Names that only exist inside a network.
  [
    /\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:internal|local|localdomain|lan|corp|intranet|svc|home\.arpa)\b/gi,
    '[host]',
  ],
  // A credential in a query string that survived without its URL.
  [/([?&](?:key|api_key|token|access_token|sig)=)[^\s&"'<>]+/gi, '$1***'],
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

/** What a channel's errors must not show: its key, and the host it is reached at. */
export function channelSecrets(channel: { apiKey: string; origin: string }): string[] {
  const out = [channel.apiKey]
  try {
    const host = new URL(channel.origin).hostname.replace(/^\[|\]$/g, '')
    if (host.length >= 4) out.push(host)
  } catch {
    // No usable origin: the patterns still apply.
  }
  return out
}

const asObject = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null

/** `value` scrubbed, or undefined when scrubbing changes nothing. */
function scrubbedIfChanged(value: unknown, secrets: readonly string[]): unknown {
  const scrubbed = scrubJson(value, secrets)
  return JSON.stringify(scrubbed) === JSON.stringify(value) ? undefined : scrubbed
}

/**
 * An upstream stream event that reports an error, with its error scrubbed; null when the event is no error event
 * or nothing in it needed scrubbing (the usual case: the event then goes out as it came). Error events are
 * OpenAI's and Gemini's `data: {"error": …}`, Anthropic's and the Responses API's `event: error`, and the
 * Responses API's `response.failed` (whose `response.error` is scrubbed, not the answer around it).
 */
export function sanitizeStreamErrorEvent(ev: SseEvent, secrets: readonly string[]): SseEvent | null {
  // Cheap checks first: this runs for every event of every stream.
  if (ev.event !== undefined) {
    if (ev.event !== 'error' && ev.event !== 'response.failed') return null
  } else if (!ev.data.includes('"error"')) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(ev.data)
  } catch {
    if (ev.event !== 'error') return null
    const data = scrubText(ev.data, secrets)
    return data === ev.data ? null : { ...ev, data }
  }
  const body = asObject(parsed)
  if (!body) return null
  let out: Record<string, unknown> | null = null
  if (ev.event === 'error' || body.type === 'error') {
    // The whole event is the error (Anthropic `{type, error}`, Responses `{type, code, message}`).
    const scrubbed = scrubbedIfChanged(body, secrets)
    if (scrubbed !== undefined) out = scrubbed as Record<string, unknown>
  } else if ('error' in body) {
    const scrubbed = scrubbedIfChanged(body.error, secrets)
    if (scrubbed !== undefined) out = { ...body, error: scrubbed }
  } else {
    const response = asObject(body.response)
    if (response && 'error' in response) {
      const scrubbed = scrubbedIfChanged(response.error, secrets)
      if (scrubbed !== undefined) out = { ...body, response: { ...response, error: scrubbed } }
    }
  }
  return out ? { ...ev, data: JSON.stringify(out) } : null
}
