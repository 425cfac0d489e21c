import type { IPart, IResponse, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeContentBlock } from './messages-decode-content.ts'
import { expectArray, maybeString } from './messages-read-json.ts'
import { decodeStopReason } from './messages-stop-reason.ts'
import { decodeAnthropicUsage } from './messages-usage.ts'

const ANSWER_BLOCKS = new Set(['text', 'tool_use', 'thinking', 'redacted_thinking'])

/**
 * A plain Anthropic answer (`{type:"message", content, stop_reason, stop_sequence, usage}`) → the internal answer.
 * Text citations are dropped (no common shape across providers); server-tool blocks cannot occur, since requests
 * with server tools are refused, and are refused if they do.
 */
export function decodeAnthropicResponse(json: JsonObject): IResponse {
  const parts: IPart[] = expectArray(json.content ?? [], 'content').map((raw, i) => {
    const path = `content[${i}]`
    const type = (raw as JsonObject | null)?.type
    if (typeof type !== 'string' || !ANSWER_BLOCKS.has(type)) {
      throw new TranslationRefusal(path, `${path}: a ${JSON.stringify(type)} block cannot be translated`)
    }
    return decodeContentBlock(raw, path)
  })
  const stopSequence = maybeString(json.stop_sequence, 'stop_sequence')
  const usage = decodeAnthropicUsage(json.usage)
  const stopReason = maybeString(json.stop_reason, 'stop_reason')
  return {
    id: maybeString(json.id, 'id') ?? '',
    model: maybeString(json.model, 'model') ?? '',
    parts,
    finish: decodeStopReason(stopReason),
    ...(stopSequence !== undefined ? { stopSequence } : {}),
    ...(usage ? { usage } : {}),
  }
}
