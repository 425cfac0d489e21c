import type { ResponseEncodeContext, StreamEncoder } from '../translate/dialect-codec.ts'
import type { IFinishReason, IStreamEvent, IUsage, JsonObject } from '../translate/internal-model.ts'
import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { encodeGeminiFunctionCall, parseCallArguments } from './generate-encode-response.ts'
import { encodeGeminiStreamError } from './generate-errors.ts'
import { encodeGeminiFinish } from './generate-finish.ts'
import { encodeGeminiUsage } from './generate-usage.ts'

type Block =
  | { kind: 'text' | 'refusal' | 'other' }
  | { kind: 'thinking'; gemini: boolean; hasText: boolean }
  | { kind: 'tool_call'; id: string; name: string; signature?: string; json: string }

/**
 * Internal events as a Gemini client's `alt=sse` stream: one GenerateContentResponse per text or thought
 * increment, emitted as it arrives; a function call whole once its arguments are complete (its block stops, or
 * the answer finishes) — Gemini's calls are never partial, the one hold-back translation-map §3.2 allows; the
 * last event carries `finishReason` and `usageMetadata`; `responseId` and `modelVersion` on every event; no
 * `[DONE]`. Events are framed with CRLF like Gemini's own stream. Works for blocks in any order and interleaving.
 */
export function createGeminiStreamEncoder(ctx: ResponseEncodeContext): StreamEncoder {
  let responseId = ctx.requestId
  let ended = false
  let finish: IFinishReason | undefined
  let usage: IUsage | undefined
  const blocks = new Map<number, Block>()

  const event = (parts: JsonObject[], extra: JsonObject = {}): string => {
    const candidate: JsonObject = { content: { role: 'model', parts }, ...extra, index: 0 }
    const body: JsonObject = { candidates: [candidate] }
    if (extra.finishReason !== undefined && usage) body.usageMetadata = encodeGeminiUsage(usage)
    body.modelVersion = ctx.model
    body.responseId = responseId
    return encodeSseEvent({ data: JSON.stringify(body) }, '\r\n')
  }

  const emitCall = (block: number): string => {
    const b = blocks.get(block)
    blocks.delete(block)
    if (!b || b.kind !== 'tool_call') return ''
    return event([encodeGeminiFunctionCall(b.id, b.name, parseCallArguments(b.json), b.signature)])
  }
  const flushCalls = (): string => {
    let out = ''
    for (const block of [...blocks.keys()].sort((a, b) => a - b)) out += emitCall(block)
    return out
  }

  function push(ev: IStreamEvent): string {
    if (ended) return ''
    switch (ev.type) {
      case 'start':
        if (ev.id) responseId = ev.id
        if (ev.usage) usage = ev.usage
        return ''
      case 'block_start':
        if (ev.kind === 'tool_call')
          blocks.set(ev.block, {
            kind: 'tool_call',
            id: ev.id,
            name: ev.name,
            signature: ev.thoughtSignature,
            json: '',
          })
        else if (ev.kind === 'thinking')
          blocks.set(ev.block, { kind: 'thinking', gemini: ev.origin === 'gemini', hasText: false })
        else blocks.set(ev.block, { kind: ev.kind === 'redacted_thinking' ? 'other' : ev.kind })
        return ''
      case 'text_delta':
        return ev.text === '' ? '' : event([{ text: ev.text }])
      case 'thinking_delta': {
        const b = blocks.get(ev.block)
        if (b?.kind === 'thinking') b.hasText ||= ev.text !== ''
        return ev.text === '' ? '' : event([{ text: ev.text, thought: true }])
      }
      case 'signature_delta': {
        const b = blocks.get(ev.block)
        // Only Gemini's own signatures mean something to a Gemini client.
        if (b?.kind !== 'thinking' || !b.gemini) return ''
        return event([
          b.hasText
            ? { text: '', thought: true, thoughtSignature: ev.signature }
            : { text: '', thoughtSignature: ev.signature },
        ])
      }
      case 'arguments_delta': {
        const b = blocks.get(ev.block)
        if (b?.kind === 'tool_call') b.json += ev.json
        return ''
      }
      case 'block_stop':
        if (blocks.get(ev.block)?.kind === 'tool_call') return emitCall(ev.block)
        blocks.delete(ev.block)
        return ''
      case 'usage':
        usage = ev.usage
        return ''
      case 'finish':
        finish = ev.reason
        return flushCalls()
      case 'end': {
        ended = true
        return flushCalls() + event([{ text: '' }], { finishReason: encodeGeminiFinish(finish ?? 'stop') })
      }
      case 'error':
        ended = true
        // A call whose arguments never completed cannot be sent whole: it is left out, then the error.
        return encodeGeminiStreamError(ev.error)
    }
  }

  return { push }
}
