import type { StreamDecoder } from '../translate/dialect-codec.ts'
import type { IError, IStreamEvent, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { decodeResponsesErrorBody } from './responses-errors.ts'
import { decodeResponsesFinish } from './responses-finish.ts'
import { isObject } from './responses-read-json.ts'
import { decodeResponsesUsage } from './responses-usage.ts'

interface OpenBlock {
  block: number
  /** Text or arguments sent so far, to complete them from a `*.done` event that carries more. */
  sent: string
  /** A freeform call: its input is sent as the JSON string of `{"input": …}`, opened and closed here. */
  custom?: boolean
  /** Reasoning: the summary part the last delta belonged to (a new one is separated by a blank line). */
  summaryIndex?: number
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const num = (v: unknown): number => (typeof v === 'number' ? v : 0)
/** A string's JSON escaping without the quotes: a piece of a JSON string value. */
const jsonPiece = (s: string): string => JSON.stringify(s).slice(1, -1)

/**
 * An upstream Responses stream as internal events (translation-map §3.1). Blocks are numbered in opening order:
 * one per message content part, call and reasoning item; a reasoning item's summaries are one thinking block,
 * separated by blank lines, its encrypted content the block's signature. Usage comes from the terminal event.
 */
export function createResponsesStreamDecoder(): StreamDecoder {
  const open = new Map<string, OpenBlock>()
  let next = 0
  let calls = false
  let done = false

  const start = (
    key: string,
    ev: IStreamEvent & { type: 'block_start' },
    extra: Partial<OpenBlock> = {},
  ): IStreamEvent[] => {
    open.set(key, { block: ev.block, sent: '', ...extra })
    return [ev]
  }
  const stop = (key: string): IStreamEvent[] => {
    const b = open.get(key)
    if (!b) return []
    open.delete(key)
    return [{ type: 'block_stop', block: b.block }]
  }
  const stopAll = (prefix = ''): IStreamEvent[] =>
    [...open.keys()].filter((k) => k.startsWith(prefix)).flatMap((k) => stop(k))
  /** The part of a final text not yet sent as deltas. */
  const rest = (b: OpenBlock, full: string): string =>
    full.startsWith(b.sent) ? full.slice(b.sent.length) : ''

  const contentKey = (d: JsonObject): string => `m:${num(d.output_index)}:${num(d.content_index)}`
  const itemKey = (d: JsonObject): string => `i:${num(d.output_index)}`

  function textDelta(key: string, kind: 'text' | 'refusal', delta: string): IStreamEvent[] {
    const out: IStreamEvent[] = open.has(key) ? [] : start(key, { type: 'block_start', block: next++, kind })
    const b = open.get(key)!
    if (delta === '') return out
    b.sent += delta
    return [...out, { type: 'text_delta', block: b.block, text: delta }]
  }

  function argsDelta(key: string, json: string): IStreamEvent[] {
    const b = open.get(key)
    if (!b || json === '') return []
    b.sent += json
    return [{ type: 'arguments_delta', block: b.block, json }]
  }

  function itemAdded(d: JsonObject): IStreamEvent[] {
    const item = isObject(d.item) ? d.item : {}
    const key = itemKey(d)
    switch (str(item.type)) {
      case 'message':
        return []
      case 'function_call':
      case 'custom_tool_call': {
        calls = true
        const custom = item.type === 'custom_tool_call'
        const ev: IStreamEvent = {
          type: 'block_start',
          block: next++,
          kind: 'tool_call',
          id: str(item.call_id),
          name: str(item.name),
        }
        if (typeof item.id === 'string') ev.itemId = item.id
        const out = start(key, ev, { custom })
        if (custom)
          return [...out, ...argsDelta(key, '{"input":"'), ...argsDelta(key, jsonPiece(str(item.input)))]
        return [...out, ...argsDelta(key, str(item.arguments))]
      }
      case 'reasoning': {
        const ev: IStreamEvent = { type: 'block_start', block: next++, kind: 'thinking', origin: 'openai' }
        if (typeof item.id === 'string') ev.itemId = item.id
        return start(key, ev)
      }
      default:
        throw new TranslationRefusal(
          `output[${num(d.output_index)}]`,
          `output[${num(d.output_index)}]: output item "${str(item.type)}" (a built-in tool) cannot be translated`,
        )
    }
  }

  function thinkingDelta(d: JsonObject, text: string, summaryIndex: number | undefined): IStreamEvent[] {
    const b = open.get(itemKey(d))
    if (!b || text === '') return []
    let piece = text
    if (
      summaryIndex !== undefined &&
      b.summaryIndex !== undefined &&
      summaryIndex !== b.summaryIndex &&
      b.sent !== ''
    )
      piece = '\n\n' + text
    if (summaryIndex !== undefined) b.summaryIndex = summaryIndex
    b.sent += piece
    return [{ type: 'thinking_delta', block: b.block, text: piece }]
  }

  function itemDone(d: JsonObject): IStreamEvent[] {
    const item = isObject(d.item) ? d.item : {}
    const key = itemKey(d)
    switch (str(item.type)) {
      case 'message':
        return stopAll(`m:${num(d.output_index)}:`)
      case 'function_call':
      case 'custom_tool_call': {
        const out = open.has(key) ? [] : itemAdded({ ...d, item: { ...item, arguments: '', input: '' } })
        const b = open.get(key)!
        if (b.custom) {
          const full = '{"input":"' + jsonPiece(str(item.input))
          out.push(...argsDelta(key, rest(b, full)), ...argsDelta(key, '"}'))
        } else out.push(...argsDelta(key, rest(b, str(item.arguments))))
        return [...out, ...stop(key)]
      }
      case 'reasoning': {
        const out = open.has(key) ? [] : itemAdded(d)
        const b = open.get(key)!
        if (b.sent === '' && Array.isArray(item.summary)) {
          const text = item.summary.map((s) => (isObject(s) ? str(s.text) : '')).join('\n\n')
          if (text !== '') {
            b.sent = text
            out.push({ type: 'thinking_delta', block: b.block, text })
          }
        }
        if (typeof item.encrypted_content === 'string' && item.encrypted_content !== '')
          out.push({ type: 'signature_delta', block: b.block, signature: item.encrypted_content })
        return [...out, ...stop(key)]
      }
      default:
        return stop(key)
    }
  }

  function terminal(d: JsonObject, type: string): IStreamEvent[] {
    done = true
    const response = isObject(d.response) ? d.response : {}
    const out = stopAll()
    const usage = decodeResponsesUsage(response.usage)
    if (usage) out.push({ type: 'usage', usage })
    if (type === 'response.failed') {
      const error: IError = isObject(response.error)
        ? decodeResponsesErrorBody(500, { error: response.error })
        : { status: 500, kind: 'server', message: 'The response failed' }
      return [...out, { type: 'error', error }]
    }
    const details = isObject(response.incomplete_details) ? response.incomplete_details : {}
    const status = type === 'response.completed' ? 'completed' : 'incomplete'
    const reason = decodeResponsesFinish(status, str(details.reason) || undefined, calls)
    return [...out, { type: 'finish', reason }, { type: 'end' }]
  }

  function push(ev: SseEvent): IStreamEvent[] {
    if (done) return []
    let d: unknown
    try {
      d = JSON.parse(ev.data)
    } catch {
      return []
    }
    if (!isObject(d as JsonObject)) return []
    const data = d as JsonObject
    const type = str(data.type) || str(ev.event)
    switch (type) {
      case 'response.created': {
        const r = isObject(data.response) ? data.response : {}
        return [{ type: 'start', id: str(r.id), model: str(r.model) }]
      }
      case 'response.output_item.added':
        return itemAdded(data)
      case 'response.content_part.added': {
        const part = isObject(data.part) ? data.part : {}
        if (part.type === 'output_text' || part.type === 'refusal')
          return textDelta(contentKey(data), part.type === 'refusal' ? 'refusal' : 'text', '')
        return []
      }
      case 'response.output_text.delta':
        return textDelta(contentKey(data), 'text', str(data.delta))
      case 'response.refusal.delta':
        return textDelta(contentKey(data), 'refusal', str(data.delta))
      case 'response.output_text.done':
      case 'response.refusal.done': {
        const b = open.get(contentKey(data))
        const full = type === 'response.output_text.done' ? str(data.text) : str(data.refusal)
        const kind = type === 'response.output_text.done' ? 'text' : 'refusal'
        return b ? textDelta(contentKey(data), kind, rest(b, full)) : textDelta(contentKey(data), kind, full)
      }
      case 'response.content_part.done':
        return stop(contentKey(data))
      case 'response.function_call_arguments.delta':
        return argsDelta(itemKey(data), str(data.delta))
      case 'response.function_call_arguments.done': {
        const b = open.get(itemKey(data))
        return b ? argsDelta(itemKey(data), rest(b, str(data.arguments))) : []
      }
      case 'response.custom_tool_call_input.delta':
        return argsDelta(itemKey(data), jsonPiece(str(data.delta)))
      case 'response.reasoning_summary_text.delta':
        return thinkingDelta(data, str(data.delta), num(data.summary_index))
      case 'response.reasoning_text.delta':
        return thinkingDelta(data, str(data.delta), undefined)
      case 'response.output_item.done':
        return itemDone(data)
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        return terminal(data, type)
      case 'error':
        done = true
        return [...stopAll(), { type: 'error', error: decodeResponsesErrorBody(500, { error: data }) }]
      default:
        // in_progress, queued, summary part and annotation events, the done events above carry nothing new.
        return []
    }
  }

  return {
    push,
    // A stream cut before its terminal event: the engine reports it; open blocks close first.
    end: () => (done ? [] : stopAll()),
  }
}
