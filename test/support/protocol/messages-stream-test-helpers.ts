import type { StreamDecoder } from '../../../src/protocol/translate/dialect-codec.ts'
import type { IStreamEvent } from '../../../src/protocol/translate/internal-model.ts'
import { createSseParser, type SseEvent } from '../../../src/protocol/sse/parse-sse-stream.ts'
import { createAnthropicStreamDecoder } from '../../../src/protocol/anthropic/messages-decode-stream.ts'

/** Helpers of the stream codec's tests: SSE text (in chunks) → parsed events → internal events. */

export function parseSse(chunks: readonly Uint8Array[]): SseEvent[] {
  const events: SseEvent[] = []
  const parser = createSseParser((ev) => events.push(ev))
  for (const chunk of chunks) parser.push(chunk)
  parser.end()
  return events
}

export function decodeEvents(
  events: readonly SseEvent[],
  decoder: StreamDecoder = createAnthropicStreamDecoder(),
): IStreamEvent[] {
  const out: IStreamEvent[] = []
  for (const ev of events) out.push(...decoder.push(ev))
  out.push(...decoder.end())
  return out
}

export function decodeText(text: string): IStreamEvent[] {
  return decodeEvents(parseSse([new TextEncoder().encode(text)]))
}

export interface AssembledBlock {
  type: string
  text?: string
  thinking?: string
  signature?: string
  id?: string
  name?: string
  json?: string
  data?: string
}

export interface AssembledStream {
  id?: string
  blocks: AssembledBlock[]
  stopReason?: string
  usage?: Record<string, number>
  error?: { type: string; message: string }
}

/**
 * Checks `text` is a valid Anthropic Messages stream (message_start first; blocks strictly sequential with indexes
 * from 0; deltas of the open block's own type; no empty text block; signature last in a thinking block;
 * message_delta then message_stop, or an error with no block open) and returns what it says. Throws on the first
 * violation.
 */
export function checkAnthropicStream(text: string): AssembledStream {
  const events = parseSse([new TextEncoder().encode(text)])
  const result: AssembledStream = { blocks: [] }
  let open: AssembledBlock | undefined
  let signed = false
  let state: 'before' | 'message' | 'delta' | 'done' = 'before'
  const fail = (why: string, i: number): never => {
    throw new Error(`event ${i} (${events[i]?.event}): ${why}`)
  }
  events.forEach((ev, i) => {
    const data = JSON.parse(ev.data) as Record<string, unknown>
    if (data.type !== ev.event) fail('event name and data.type differ', i)
    if (state === 'done') fail('event after the end', i)
    if (ev.event === 'error') {
      if (open) fail('error with a block still open', i)
      result.error = data.error as AssembledStream['error']
      state = 'done'
      return
    }
    if (state === 'before') {
      if (ev.event !== 'message_start') fail('first event is not message_start', i)
      result.id = (data.message as { id: string }).id
      state = 'message'
      return
    }
    const index = data.index as number
    switch (ev.event ?? '') {
      case 'content_block_start': {
        if (state !== 'message') fail('block after message_delta', i)
        if (open) fail('block started while another is open', i)
        if (index !== result.blocks.length) fail(`index ${index}, expected ${result.blocks.length}`, i)
        const cb = data.content_block as AssembledBlock & { input?: unknown }
        open = { type: cb.type, ...(cb.id ? { id: cb.id, name: cb.name, json: '' } : {}) }
        if (cb.type === 'text') open.text = cb.text ?? ''
        if (cb.type === 'thinking') open.thinking = cb.thinking ?? ''
        if (cb.type === 'redacted_thinking') open.data = cb.data
        signed = false
        result.blocks.push(open)
        return
      }
      case 'content_block_delta': {
        if (!open || index !== result.blocks.length - 1) fail('delta for a block that is not open', i)
        const d = data.delta as Record<string, string>
        const block = open as AssembledBlock
        if (d.type === 'text_delta' && block.type === 'text') block.text += d.text
        else if (d.type === 'input_json_delta' && block.type === 'tool_use') block.json += d.partial_json
        else if (d.type === 'thinking_delta' && block.type === 'thinking' && !signed)
          block.thinking += d.thinking
        else if (d.type === 'signature_delta' && block.type === 'thinking' && !signed) {
          block.signature = d.signature
          signed = true
        } else fail(`${d.type} in a ${block.type} block`, i)
        return
      }
      case 'content_block_stop': {
        if (!open || index !== result.blocks.length - 1) fail('stop for a block that is not open', i)
        if (open?.type === 'text' && open.text === '') fail('empty text block', i)
        if (open?.type === 'tool_use') JSON.parse(open.json === '' ? '{}' : (open.json as string))
        open = undefined
        return
      }
      case 'message_delta':
        if (open) fail('message_delta with a block open', i)
        result.stopReason = (data.delta as { stop_reason: string }).stop_reason
        result.usage = data.usage as Record<string, number>
        state = 'delta'
        return
      case 'message_stop':
        if (state !== 'delta') fail('message_stop before message_delta', i)
        state = 'done'
        return
      case 'ping':
        return
      default:
        fail('unknown event', i)
    }
  })
  if ((state as string) !== 'done') throw new Error('stream does not end with message_stop or error')
  return result
}
