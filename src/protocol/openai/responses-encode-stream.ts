import type { ResponseEncodeContext, StreamEncoder } from '../translate/dialect-codec.ts'
import type {
  IError,
  IFinishReason,
  IStreamEvent,
  IUsage,
  Json,
  JsonObject,
  ThinkingOrigin,
} from '../translate/internal-model.ts'
import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { encodeResponsesError } from './responses-errors.ts'
import { encodeResponsesFinish } from './responses-finish.ts'
import { messageItemIdOf, responseIdOf } from './responses-item-ids.ts'
import {
  callItem,
  contentPart,
  customInput,
  messageItem,
  reasoningItem,
  type ItemStatus,
} from './responses-output-items.ts'
import { encodeResponsesUsage } from './responses-usage.ts'

type BlockStart = Extract<IStreamEvent, { type: 'block_start' }>

interface Block {
  start: BlockStart
  outputIndex: number
  itemId: string
  /** Text, summary or arguments so far: the `*.done` events and `response.completed` repeat them whole (§8 #23). */
  text: string
  custom: boolean
  summaryOpen: boolean
  signature?: string
}

/**
 * Internal events as a Responses stream for a Responses client (translation-map §3.1, §8 #23): `sequence_number`
 * from 0, `response.created` → `response.in_progress` → per block an output item added, its deltas and its done
 * events with the whole text, then `response.completed` (or `incomplete`/`failed`) with the assembled `output[]`
 * and usage. Every event is written as it arrives, except a freeform (custom) call's input, which is held until its
 * block ends because its arguments arrive as pieces of `{"input": …}` JSON.
 */
export function createResponsesStreamEncoder(ctx: ResponseEncodeContext): StreamEncoder {
  const custom = new Set(ctx.customTools ?? [])
  const blocks = new Map<number, Block>()
  const output: JsonObject[] = []
  let seq = 0
  let id = responseIdOf(ctx.requestId)
  let started = false
  let finished = false
  let usage: IUsage | undefined
  let finish: IFinishReason | undefined

  const emit = (type: string, payload: JsonObject): string =>
    encodeSseEvent({ event: type, data: JSON.stringify({ type, ...payload, sequence_number: seq++ }) })

  const response = (status: string, extra: JsonObject = {}): JsonObject => ({
    id,
    object: 'response',
    created_at: ctx.created,
    status,
    error: null,
    incomplete_details: null,
    model: ctx.model,
    output: status === 'in_progress' ? [] : output.filter((item) => item.status !== 'in_progress'),
    usage: usage && status !== 'in_progress' ? encodeResponsesUsage(usage) : null,
    ...extra,
  })

  function begin(upstreamId?: string): string {
    if (started) return ''
    started = true
    if (upstreamId) id = responseIdOf(upstreamId)
    return (
      emit('response.created', { response: response('in_progress') }) +
      emit('response.in_progress', { response: response('in_progress') })
    )
  }

  function open(ev: BlockStart): string {
    if (blocks.has(ev.block)) return ''
    const outputIndex = output.length
    const b: Block = { start: ev, outputIndex, itemId: '', text: '', custom: false, summaryOpen: false }
    let item: JsonObject
    if (ev.kind === 'text' || ev.kind === 'refusal') {
      item = messageItem(messageItemIdOf(id, outputIndex), [], 'in_progress')
    } else if (ev.kind === 'tool_call') {
      b.custom = custom.has(ev.name)
      item = callItem({ id: ev.id, name: ev.name, arguments: '', itemId: ev.itemId }, b.custom, 'in_progress')
    } else {
      const origin: ThinkingOrigin = ev.origin
      item = reasoningItem(
        { text: '', origin, itemId: ev.kind === 'thinking' ? ev.itemId : undefined },
        id,
        outputIndex,
      )
      item.status = 'in_progress'
    }
    b.itemId = item.id as string
    blocks.set(ev.block, b)
    output.push(item)
    const at = { item_id: b.itemId, output_index: outputIndex }
    let out = emit('response.output_item.added', { output_index: outputIndex, item: { ...item } })
    if (ev.kind === 'text' || ev.kind === 'refusal')
      out += emit('response.content_part.added', { ...at, content_index: 0, part: contentPart(ev.kind, '') })
    return out
  }

  function delta(
    ev: Extract<IStreamEvent, { type: 'text_delta' | 'thinking_delta' | 'arguments_delta' }>,
  ): string {
    const b = blocks.get(ev.block)
    if (!b) return ''
    const at = { item_id: b.itemId, output_index: b.outputIndex }
    const piece = ev.type === 'arguments_delta' ? ev.json : ev.text
    if (piece === '') return ''
    b.text += piece
    const kind = b.start.kind
    if (kind === 'text')
      return emit('response.output_text.delta', { ...at, content_index: 0, delta: piece, logprobs: [] })
    if (kind === 'refusal') return emit('response.refusal.delta', { ...at, content_index: 0, delta: piece })
    if (kind === 'tool_call')
      return b.custom ? '' : emit('response.function_call_arguments.delta', { ...at, delta: piece })
    if (kind !== 'thinking') return ''
    let out = ''
    if (!b.summaryOpen) {
      b.summaryOpen = true
      out += emit('response.reasoning_summary_part.added', {
        ...at,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      })
    }
    return out + emit('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: piece })
  }

  function close(blockNo: number, status: ItemStatus): string {
    const b = blocks.get(blockNo)
    if (!b) return ''
    blocks.delete(blockNo)
    const ev = b.start
    const at = { item_id: b.itemId, output_index: b.outputIndex }
    let out = ''
    let item: JsonObject
    if (ev.kind === 'text' || ev.kind === 'refusal') {
      const part = contentPart(ev.kind, b.text)
      out +=
        ev.kind === 'text'
          ? emit('response.output_text.done', { ...at, content_index: 0, text: b.text, logprobs: [] })
          : emit('response.refusal.done', { ...at, content_index: 0, refusal: b.text })
      out += emit('response.content_part.done', { ...at, content_index: 0, part })
      item = messageItem(b.itemId, [part], status)
    } else if (ev.kind === 'tool_call') {
      const call = { id: ev.id, name: ev.name, arguments: b.text, itemId: b.itemId }
      if (b.custom) {
        const input = customInput(b.text)
        if (input !== '') out += emit('response.custom_tool_call_input.delta', { ...at, delta: input })
        out += emit('response.custom_tool_call_input.done', { ...at, input })
      } else out += emit('response.function_call_arguments.done', { ...at, arguments: b.text })
      item = callItem(call, b.custom, status)
    } else {
      if (b.summaryOpen) {
        out += emit('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: b.text })
        out += emit('response.reasoning_summary_part.done', {
          ...at,
          summary_index: 0,
          part: { type: 'summary_text', text: b.text },
        })
      }
      const redacted = ev.kind === 'redacted_thinking' ? ev.data : undefined
      const itemId = ev.kind === 'thinking' ? ev.itemId : undefined
      item = reasoningItem(
        { text: b.text, signature: b.signature, redacted, origin: ev.origin, itemId },
        id,
        b.outputIndex,
      )
    }
    output[b.outputIndex] = item
    return out + emit('response.output_item.done', { output_index: b.outputIndex, item })
  }

  const closeAll = (status: ItemStatus): string =>
    [...blocks.keys()]
      .sort((a, b) => a - b)
      .map((n) => close(n, status))
      .join('')

  function end(): string {
    const out = closeAll('completed')
    finished = true
    const st = encodeResponsesFinish(finish ?? 'stop')
    const extra: JsonObject = { error: st.error, incomplete_details: st.incomplete_details }
    return out + emit(st.event, { response: response(st.status, extra) })
  }

  function fail(error: IError): string {
    const out = closeAll('incomplete')
    finished = true
    const e = encodeResponsesError(error).body.error as { [k: string]: Json }
    const extra: JsonObject = { error: { code: e.code ?? 'server_error', message: error.message } }
    return out + emit('response.failed', { response: response('failed', extra) })
  }

  return {
    push(ev) {
      if (finished) return ''
      const head = begin(ev.type === 'start' ? ev.id : undefined)
      switch (ev.type) {
        case 'start':
          return head
        case 'block_start':
          return head + open(ev)
        case 'text_delta':
        case 'thinking_delta':
        case 'arguments_delta':
          return head + delta(ev)
        case 'signature_delta': {
          const b = blocks.get(ev.block)
          if (b) b.signature = (b.signature ?? '') + ev.signature
          return head
        }
        case 'block_stop':
          return head + close(ev.block, 'completed')
        case 'usage':
          usage = ev.usage
          return head
        case 'finish':
          finish = ev.reason
          return head
        case 'end':
          return head + end()
        case 'error':
          return head + fail(ev.error)
      }
    },
  }
}
