import type { ResponseEncodeContext, StreamEncoder } from '../translate/dialect-codec.ts'
import type { IFinishReason, IStreamEvent, IUsage, JsonObject } from '../translate/internal-model.ts'
import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { encodeAnthropicStreamError } from './messages-errors.ts'
import { anthropicMessageId } from './messages-encode-response.ts'
import { encodeStopReason } from './messages-stop-reason.ts'
import { encodeAnthropicUsage } from './messages-usage.ts'

/**
 * Internal stream events → an Anthropic Messages stream for an Anthropic client (translation-map §3.1–3.2):
 * `message_start`, then per block `content_block_start` / `content_block_delta` / `content_block_stop`, then
 * `message_delta {stop_reason, stop_sequence, usage}` and `message_stop`. Written as events arrive; the only
 * hold-backs are those Anthropic's sequence forces:
 * - blocks are strictly sequential, so a block opened while another is open (OpenAI chat's interleaved parallel
 *   tool calls) is held until the open one closes, then replayed in opening order;
 * - a text block opens at its first non-empty text, so no empty text block is ever sent (§8 #25), and wire
 *   indexes count only sent blocks (a tool-only stream starts at index 0, §8 #14);
 * - a thinking block's signature is sent last, just before the block closes (§8 #1);
 * - `message_delta` waits for the end, since usage may follow the finish (OpenAI's usage chunk).
 * Another provider's thinking is shown without its replay token (valid only there); its redacted blocks are
 * omitted. A failure closes the open block and ends with `event: error` (SPEC §5.3).
 */

const ZERO_USAGE: IUsage = { input: 0, cacheRead: 0, cacheWrite: 0, output: 0 }

type BlockEvent = Exclude<IStreamEvent, { type: 'start' | 'usage' | 'finish' | 'end' | 'error' }>

interface OpenBlock {
  block: number
  kind: 'text' | 'thinking' | 'tool_call' | 'skip'
  /** On the wire yet (a text block waits for its first text). */
  sent: boolean
  /** Whether the block's replay token may be shown (only Anthropic's own). */
  ownSignature: boolean
  signature: string
}

function sse(event: string, data: JsonObject): string {
  return encodeSseEvent({ event, data: JSON.stringify({ type: event, ...data }) })
}

export function createAnthropicStreamEncoder(ctx: ResponseEncodeContext): StreamEncoder {
  let started = false
  let done = false
  let wireIndex = 0
  let current: OpenBlock | undefined
  /** Blocks opened while another was open, with their events so far, in opening order. */
  const held = new Map<number, BlockEvent[]>()
  let usage: IUsage | undefined
  let finish: { reason: IFinishReason; stopSequence?: string } | undefined

  const start = (id: string, startUsage?: IUsage): string => {
    if (started) return ''
    started = true
    if (startUsage) usage = startUsage
    const message = {
      id: anthropicMessageId(id, ctx),
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The real counts follow in message_delta when the upstream reports them only at the end.
      usage: encodeAnthropicUsage(startUsage ?? ZERO_USAGE),
    }
    return sse('message_start', { message })
  }

  const startBlock = (content: JsonObject): string => {
    if (!current) return ''
    current.sent = true
    return sse('content_block_start', { index: wireIndex, content_block: content })
  }

  const delta = (d: JsonObject): string => sse('content_block_delta', { index: wireIndex, delta: d })

  const closeCurrent = (): string => {
    const block = current
    if (!block) return ''
    current = undefined
    if (!block.sent) return ''
    let out = ''
    if (block.kind === 'thinking' && block.signature !== '') {
      out += delta({ type: 'signature_delta', signature: block.signature })
    }
    out += sse('content_block_stop', { index: wireIndex })
    wireIndex++
    return out
  }

  const open = (ev: Extract<IStreamEvent, { type: 'block_start' }>): string => {
    const base = { block: ev.block, sent: false, ownSignature: false, signature: '' }
    switch (ev.kind) {
      case 'text':
      case 'refusal':
        current = { ...base, kind: 'text' }
        return ''
      case 'thinking':
        current = { ...base, kind: 'thinking', ownSignature: ev.origin === 'anthropic' }
        return startBlock({ type: 'thinking', thinking: '', signature: '' })
      case 'redacted_thinking':
        current = { ...base, kind: 'skip' }
        return ev.origin === 'anthropic' ? startBlock({ type: 'redacted_thinking', data: ev.data }) : ''
      case 'tool_call':
        current = { ...base, kind: 'tool_call' }
        return startBlock({ type: 'tool_use', id: ev.id, name: ev.name, input: {} })
    }
  }

  /** One event of the block open on the wire (or about to be). */
  const feed = (ev: BlockEvent): string => {
    if (ev.type === 'block_start') return open(ev)
    const block = current
    if (!block) return ''
    switch (ev.type) {
      case 'text_delta':
        if (block.kind !== 'text' || ev.text === '') return ''
        return (
          (block.sent ? '' : startBlock({ type: 'text', text: '' })) +
          delta({ type: 'text_delta', text: ev.text })
        )
      case 'thinking_delta':
        return block.kind === 'thinking' && ev.text !== ''
          ? delta({ type: 'thinking_delta', thinking: ev.text })
          : ''
      case 'signature_delta':
        if (block.kind === 'thinking' && block.ownSignature) block.signature += ev.signature
        return ''
      case 'arguments_delta':
        return block.kind === 'tool_call' && ev.json !== ''
          ? delta({ type: 'input_json_delta', partial_json: ev.json })
          : ''
      case 'block_stop':
        return closeCurrent()
    }
  }

  /** Replays held blocks in opening order while nothing is open. */
  const drain = (): string => {
    let out = ''
    for (const [block, events] of held) {
      if (current) break
      held.delete(block)
      for (const ev of events) out += feed(ev)
    }
    return out
  }

  /** Closes the open block and sends every held one, closed (the content is complete). */
  const flushAll = (): string => {
    let out = closeCurrent() + drain()
    while (current) out += closeCurrent() + drain()
    return out
  }

  const blockEvent = (ev: BlockEvent): string => {
    if (ev.type === 'block_start') {
      if (current || held.size > 0) {
        held.set(ev.block, [ev])
        return ''
      }
      return feed(ev)
    }
    if (current?.block === ev.block) return feed(ev) + (ev.type === 'block_stop' ? drain() : '')
    held.get(ev.block)?.push(ev)
    return ''
  }

  const finishMessage = (): string => {
    const out = flushAll()
    const reason = finish?.reason ?? 'stop'
    return (
      out +
      sse('message_delta', {
        delta: { stop_reason: encodeStopReason(reason), stop_sequence: finish?.stopSequence ?? null },
        usage: encodeAnthropicUsage(usage ?? ZERO_USAGE),
      }) +
      sse('message_stop', {})
    )
  }

  return {
    push(ev: IStreamEvent): string {
      if (done) return ''
      switch (ev.type) {
        case 'start':
          return start(ev.id, ev.usage)
        case 'usage':
          usage = ev.usage
          return ''
        case 'finish':
          finish = {
            reason: ev.reason,
            ...(ev.stopSequence !== undefined ? { stopSequence: ev.stopSequence } : {}),
          }
          return start('') + flushAll()
        case 'end':
          done = true
          return start('') + finishMessage()
        case 'error': {
          done = true
          held.clear()
          return closeCurrent() + encodeAnthropicStreamError(ev.error)
        }
        case 'block_start':
        case 'text_delta':
        case 'thinking_delta':
        case 'signature_delta':
        case 'arguments_delta':
        case 'block_stop':
          return start('') + blockEvent(ev)
      }
    },
  }
}
