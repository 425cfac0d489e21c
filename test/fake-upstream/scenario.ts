/**
 * Misbehaviours of the fake upstream. Chosen per request by the `x-fake-scenario` header (wins), else by a
 * model name prefix `sc_<name>__<model>` (`:` written as `_`, e.g. `sc_status_429__gpt-4o`), else by the
 * server-wide `setScenario(...)`.
 *
 * String forms (header or `setScenario('…')`):
 *   stall-headers                     accept the request, never answer
 *   stall-mid-stream[:N]              send N events (default: half) — or half a plain body — then go silent
 *   reset[:N]                         send N events (default: half) — or half a plain body — then destroy the socket
 *   reset-before-headers              destroy the socket before any byte of the answer
 *   split-bytes[:N[:MS]]              write the answer N bytes at a time (default 1), MS ms apart (default: next tick)
 *   slow-events[:MS]                  wait MS ms (default 200) between stream events
 *   crlf[:N]                          stream: CRLF line ends; each event its own write, or N bytes at a time
 *   slow-first-event[:MS]             stream: send the headers at once, then every event after MS ms (default 300)
 *   delay:MS                          wait MS ms before answering normally
 *   bad-json                          plain: a truncated JSON body; stream: one event whose data is not JSON
 *   html-502                          an nginx-style HTML error page with status 502
 *   status:CODE[:RETRY_AFTER]         the provider's error body with that status (429: retry-after, default 1)
 *   redirect                          302 to `<fake>/redirect-target` (a followed redirect is visible in `requests`)
 *   echo-headers                      the answer text (or body, for non-chat endpoints) is JSON of the received request line and headers
 *   no-usage                          an OpenAI-compatible server that reports no usage at all
 *   usage-every-chunk                 OpenAI chat stream: running usage on every chunk (vLLM continuous usage)
 *   usage-on-content-chunk            OpenAI chat stream: usage on the last content chunk, no `choices: []` chunk
 *   error-mid-stream                  half the events, then the protocol's error event (Responses: `response.failed`)
 *   bad-key                           the provider's answer to a wrong API key (OpenAI and Anthropic 401; Gemini 400
 *                                     INVALID_ARGUMENT with reason API_KEY_INVALID)
 *   gemini-call-ids                   Gemini: function calls carry an `id` and the first a `thoughtSignature`
 *                                     (Gemini 3 behaviour; also on for every `gemini-3…` model)
 *
 * Answers also follow the request itself, in every protocol (fake-features.ts):
 *   - tools offered and the last turn is not a tool result → a tool call, arguments streamed in fragments;
 *     the forced tool (tool_choice / allowedFunctionNames) else the first one;
 *   - PARALLEL calls: when the prompt text contains the word "parallel" (any case), two calls in one turn —
 *     the first two tools, or the forced (or only) tool twice with different arguments;
 *   - after tool results, a text answer that ends ` Tool results: <name> <id>=<result>; ….` in the order
 *     received (Gemini: name and id if any, the result as JSON of its `response` object);
 *   - image parts: the answer ends ` Images: image/png 68 bytes #<fnv1a of the base64>; ….` (or `url <url>`);
 *   - a JSON schema in the provider's field (`response_format`, `text.format`, `output_config.format`,
 *     `responseSchema`/`responseJsonSchema`) → the answer is JSON valid for it; JSON mode → `{"answer": …}`;
 *   - thinking: Anthropic `thinking` enabled/adaptive → a signed thinking block (signature_delta streamed);
 *     Responses `reasoning.summary` → a reasoning summary; Gemini `includeThoughts` → a thought part;
 *     OpenAI and Gemini always report reasoning tokens, Anthropic and OpenAI/Gemini cache reads (and
 *     Anthropic cache writes) in their own usage fields.
 */
export type Scenario =
  | { name: 'stall-headers' }
  | { name: 'stall-mid-stream'; afterEvents?: number }
  | { name: 'reset'; afterEvents?: number }
  | { name: 'reset-before-headers' }
  | { name: 'split-bytes'; every?: number; delayMs?: number }
  | { name: 'slow-events'; delayMs?: number }
  | { name: 'crlf'; every?: number }
  | { name: 'slow-first-event'; delayMs?: number }
  | { name: 'delay'; delayMs: number }
  | { name: 'bad-json' }
  | { name: 'html-502' }
  | { name: 'status'; status: number; retryAfter?: number }
  | { name: 'redirect'; location?: string }
  | { name: 'echo-headers' }
  | { name: 'no-usage' }
  | { name: 'usage-every-chunk' }
  | { name: 'usage-on-content-chunk' }
  | { name: 'error-mid-stream' }
  | { name: 'gemini-call-ids' }
  | { name: 'bad-key' }

export type ScenarioName = Scenario['name']

export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'stall-headers',
  'stall-mid-stream',
  'reset',
  'reset-before-headers',
  'split-bytes',
  'slow-events',
  'crlf',
  'slow-first-event',
  'delay',
  'bad-json',
  'html-502',
  'status',
  'redirect',
  'echo-headers',
  'no-usage',
  'usage-every-chunk',
  'usage-on-content-chunk',
  'error-mid-stream',
  'gemini-call-ids',
  'bad-key',
]

function num(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = Number(value)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

/** Parses the string form; throws on an unknown name so a typo in a test fails loudly. */
export function parseScenario(text: string): Scenario {
  const [name, a, b] = text.trim().split(':')
  switch (name) {
    case 'stall-headers':
    case 'reset-before-headers':
    case 'bad-json':
    case 'html-502':
    case 'echo-headers':
    case 'no-usage':
    case 'usage-every-chunk':
    case 'usage-on-content-chunk':
    case 'error-mid-stream':
    case 'gemini-call-ids':
    case 'bad-key':
      return { name }
    case 'redirect':
      return { name }
    case 'stall-mid-stream':
      return { name, afterEvents: num(a) }
    case 'reset':
      return a === 'before-headers' ? { name: 'reset-before-headers' } : { name, afterEvents: num(a) }
    case 'split-bytes':
      return { name, every: num(a), delayMs: num(b) }
    case 'crlf':
      return { name, every: num(a) }
    case 'slow-events':
    case 'slow-first-event':
      return { name, delayMs: num(a) }
    case 'delay':
      return { name, delayMs: num(a) ?? 100 }
    case 'status': {
      const status = num(a)
      if (status === undefined || status < 100 || status > 599)
        throw new Error(`fake upstream: bad status in "${text}"`)
      return { name, status, retryAfter: num(b) }
    }
    default:
      throw new Error(`fake upstream: unknown scenario "${text}"`)
  }
}

const MODEL_PREFIX = 'sc_'
const MODEL_SEPARATOR = '__'

/** The scenario encoded in a model name (`sc_status_429__gpt-4o`), or undefined. */
export function scenarioFromModel(model: string | undefined): Scenario | undefined {
  if (!model?.startsWith(MODEL_PREFIX)) return undefined
  const end = model.indexOf(MODEL_SEPARATOR)
  if (end === -1) return undefined
  return parseScenario(model.slice(MODEL_PREFIX.length, end).replaceAll('_', ':'))
}

/** A model name that selects `scenario` on the fake upstream, e.g. `modelWithScenario('status:429', 'gpt-4o')`. */
export function modelWithScenario(scenario: string, model: string): string {
  return MODEL_PREFIX + scenario.replaceAll(':', '_') + MODEL_SEPARATOR + model
}
