import type { StreamDecoder } from '../translate/dialect-codec.ts'
import type { IStreamEvent, JsonObject } from '../translate/internal-model.ts'
import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { decodeErrorObject } from './messages-errors.ts'
import { isJsonObject, parseObjectText } from './messages-read-json.ts'
import { decodeStopReason } from './messages-stop-reason.ts'
import { mergeUsageCounts, usageFromCounts, type AnthropicUsageCounts } from './messages-usage.ts'

/**
 * An Anthropic Messages stream (translation-map §3.1) → internal events, one upstream event at a time.
 * `message_start` → start; each content block → block_start / deltas / block_stop, numbered in opening order;
 * `message_delta` → usage (last value per field over message_start and every message_delta, never summed, §8 #11)
 * then finish; `message_stop` → end; `ping` → nothing; `error` → the error, after closing open blocks.
 * Dropped on purpose: `citations_delta` (citations have no common shape, translation-map §2.2).
 */

const STREAM_STATUS: Readonly<Record<string, number>> = {
  overloaded_error: 529,
  api_error: 500,
  rate_limit_error: 429,
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  billing_error: 402,
  timeout_error: 504,
}

export function createAnthropicStreamDecoder(): StreamDecoder {
  /** Anthropic block index → internal block number. */
  const blocks = new Map<number, number>()
  const open = new Set<number>()
  const counts: AnthropicUsageCounts = {}
  let nextBlock = 0
  let finished = false

  const closeAll = (out: IStreamEvent[]): void => {
    for (const block of open) out.push({ type: 'block_stop', block })
    open.clear()
  }

  const blockStart = (json: JsonObject, out: IStreamEvent[]): void => {
    const index = typeof json.index === 'number' ? json.index : nextBlock
    const cb = isJsonObject(json.content_block) ? json.content_block : {}
    const block = nextBlock++
    blocks.set(index, block)
    open.add(block)
    const str = (v: unknown): string => (typeof v === 'string' ? v : '')
    switch (typeof cb.type === 'string' ? cb.type : '') {
      case 'text':
        out.push({ type: 'block_start', block, kind: 'text' })
        if (str(cb.text)) out.push({ type: 'text_delta', block, text: str(cb.text) })
        return
      case 'thinking':
        out.push({ type: 'block_start', block, kind: 'thinking', origin: 'anthropic' })
        if (str(cb.thinking)) out.push({ type: 'thinking_delta', block, text: str(cb.thinking) })
        if (str(cb.signature)) out.push({ type: 'signature_delta', block, signature: str(cb.signature) })
        return
      case 'redacted_thinking':
        out.push({
          type: 'block_start',
          block,
          kind: 'redacted_thinking',
          data: str(cb.data),
          origin: 'anthropic',
        })
        return
      case 'tool_use': {
        out.push({ type: 'block_start', block, kind: 'tool_call', id: str(cb.id), name: str(cb.name) })
        const input = cb.input
        if (isJsonObject(input) && Object.keys(input).length > 0) {
          out.push({ type: 'arguments_delta', block, json: JSON.stringify(input) })
        }
        return
      }
      default:
        // Server-tool blocks only follow server tools, which the request encoder never sends.
        open.delete(block)
        closeAll(out)
        finished = true
        out.push({
          type: 'error',
          error: {
            status: 502,
            kind: 'server',
            message: `Unsupported Anthropic content block ${JSON.stringify(cb.type)}`,
          },
        })
    }
  }

  const blockDelta = (json: JsonObject, out: IStreamEvent[]): void => {
    const block = typeof json.index === 'number' ? blocks.get(json.index) : undefined
    const delta = isJsonObject(json.delta) ? json.delta : {}
    if (block === undefined) return
    const value = (key: string): string => (typeof delta[key] === 'string' ? (delta[key] as string) : '')
    switch (typeof delta.type === 'string' ? delta.type : '') {
      case 'text_delta':
        if (value('text')) out.push({ type: 'text_delta', block, text: value('text') })
        return
      case 'input_json_delta':
        if (value('partial_json')) out.push({ type: 'arguments_delta', block, json: value('partial_json') })
        return
      case 'thinking_delta':
        if (value('thinking')) out.push({ type: 'thinking_delta', block, text: value('thinking') })
        return
      case 'signature_delta':
        if (value('signature')) out.push({ type: 'signature_delta', block, signature: value('signature') })
        return
      default:
        // citations_delta and deltas of future types carry nothing another dialect can show.
        return
    }
  }

  const handle = (json: JsonObject, type: string, out: IStreamEvent[]): void => {
    switch (type) {
      case 'message_start': {
        const message = isJsonObject(json.message) ? json.message : {}
        const hasUsage = mergeUsageCounts(counts, message.usage)
        out.push({
          type: 'start',
          id: typeof message.id === 'string' ? message.id : '',
          model: typeof message.model === 'string' ? message.model : '',
          ...(hasUsage ? { usage: usageFromCounts(counts) } : {}),
        })
        return
      }
      case 'content_block_start':
        blockStart(json, out)
        return
      case 'content_block_delta':
        blockDelta(json, out)
        return
      case 'content_block_stop': {
        const block = typeof json.index === 'number' ? blocks.get(json.index) : undefined
        if (block !== undefined && open.delete(block)) out.push({ type: 'block_stop', block })
        return
      }
      case 'message_delta': {
        closeAll(out)
        if (mergeUsageCounts(counts, json.usage)) out.push({ type: 'usage', usage: usageFromCounts(counts) })
        const delta = isJsonObject(json.delta) ? json.delta : {}
        if (delta.stop_reason !== undefined && delta.stop_reason !== null) {
          const stopSequence = typeof delta.stop_sequence === 'string' ? delta.stop_sequence : undefined
          out.push({
            type: 'finish',
            reason: decodeStopReason(typeof delta.stop_reason === 'string' ? delta.stop_reason : undefined),
            ...(stopSequence !== undefined ? { stopSequence } : {}),
          })
        }
        return
      }
      case 'message_stop':
        closeAll(out)
        finished = true
        out.push({ type: 'end' })
        return
      case 'error': {
        closeAll(out)
        finished = true
        const error = isJsonObject(json.error) ? json.error : undefined
        const status = STREAM_STATUS[typeof error?.type === 'string' ? error.type : ''] ?? 500
        out.push({ type: 'error', error: decodeErrorObject(status, error, 'Upstream stream error') })
        return
      }
      default:
        // ping and event types added later.
        return
    }
  }

  return {
    push(ev: SseEvent): IStreamEvent[] {
      if (finished) return []
      const json = parseObjectText(ev.data)
      if (!json) return []
      const out: IStreamEvent[] = []
      handle(json, typeof json.type === 'string' ? json.type : (ev.event ?? ''), out)
      return out
    },
    end(): IStreamEvent[] {
      // A stream cut before message_stop: close what is open; the caller reports the cut as an error.
      if (finished) return []
      const out: IStreamEvent[] = []
      closeAll(out)
      return out
    },
  }
}
