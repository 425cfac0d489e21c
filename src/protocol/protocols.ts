import { PROTOCOL_IDS, type ProtocolAdapter, type ProtocolId } from './protocol-adapter.ts'
import type { Surface } from './surface.ts'
import { openaiProtocol } from './openai/openai-protocol.ts'
import { anthropicProtocol } from './anthropic/anthropic-protocol.ts'
import { geminiProtocol } from './gemini/gemini-protocol.ts'

/** The registry: everything protocol-specific is reached through `protocols[id]`, never by branching on a name. */
export const protocols: Readonly<Record<ProtocolId, ProtocolAdapter>> = {
  openai: openaiProtocol,
  anthropic: anthropicProtocol,
  gemini: geminiProtocol,
}

const ALL = PROTOCOL_IDS.map((id) => protocols[id])

/** Client paths of the surfaces at exact paths (`/v1/chat/completions`, `/v1/messages`, …), in registry order. */
export const EXACT_SURFACE_PATHS: ReadonlyMap<string, Surface> = new Map(
  ALL.filter((p) => p.paths.style === 'exact').flatMap((p) =>
    Object.entries(p.surfaces).map(([name, s]) => [p.paths.prefix + name, s] as const),
  ),
)

/** The protocols whose paths carry `model:action` after their prefix (Gemini's `/v1beta/models/`). */
export const MODEL_ACTION_PROTOCOLS: readonly ProtocolAdapter[] = ALL.filter(
  (p) => p.paths.style === 'model-action',
)

/** `model:action` of a path segment → the protocol's surface and the model; null for an unknown action. */
export function parseModelAction(
  protocol: ProtocolAdapter,
  modelAction: string,
): { surface: Surface; model: string } | null {
  const i = modelAction.lastIndexOf(':')
  const surface = i > 0 ? protocol.surfaces[modelAction.slice(i + 1)] : undefined
  return surface ? { surface, model: modelAction.slice(0, i) } : null
}

/**
 * The protocol of a model-list request at `/v1/models`, shared by OpenAI and Anthropic: Anthropic clients always
 * send `anthropic-version`.
 */
export function modelListProtocol(headers: Readonly<Record<string, unknown>>): ProtocolAdapter {
  return headers['anthropic-version'] !== undefined ? anthropicProtocol : openaiProtocol
}

/**
 * A limit the estimate can use; anything else (negative, fractional, beyond 2^53) reserves the default, and the
 * provider answers the nonsense itself. Above the default reservation the value changes nothing anyway.
 */
const isTokenCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

function at(json: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = json
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined
  return v
}

const MAX_TOKEN_PATHS = ALL.flatMap((p) => p.outputLimitFields.maxTokens)
const CHOICE_PATHS = ALL.flatMap((p) => p.outputLimitFields.choices)

/**
 * The output a request may ask for, for its reservation: the first usable max-tokens field and the number of
 * choices (1 to 128) of any protocol's fields. Only an estimate, so the body's protocol is not consulted.
 */
export function readOutputLimit(json: Record<string, unknown> | null): {
  maxTokens: number | null
  n: number
} {
  if (!json) return { maxTokens: null, n: 1 }
  let maxTokens: number | null = null
  for (const path of MAX_TOKEN_PATHS) {
    const v = at(json, path)
    if (isTokenCount(v)) {
      maxTokens = v
      break
    }
  }
  let n: unknown
  for (const path of CHOICE_PATHS) if ((n = at(json, path)) !== undefined && n !== null) break
  return { maxTokens, n: typeof n === 'number' && Number.isInteger(n) && n >= 1 ? Math.min(n, 128) : 1 }
}
