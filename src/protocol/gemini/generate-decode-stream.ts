import type { StreamDecoder } from '../translate/dialect-codec.ts'
import type { IStreamEvent, JsonObject } from '../translate/internal-model.ts'
import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { geminiCallIdFor } from './generate-ids.ts'
import { arrayOf, isObject, objectOr, parseObject, stringOr } from './generate-json.ts'
import { decodeGeminiError } from './generate-errors.ts'
import { decodeGeminiFinish } from './generate-finish.ts'
import { decodeGeminiUsage, mergeUsageMetadata } from './generate-usage.ts'

type Open = { block: number; kind: 'text' | 'thinking' } | undefined

/**
 * Gemini `streamGenerateContent?alt=sse` events (each a whole GenerateContentResponse) as internal events.
 * Text parts are increments of one text block; thought parts of one thinking block, closed by a signature;
 * a signature on a non-thought part is an empty signed thinking block of its own; each functionCall part arrives
 * complete and becomes a whole tool-call block. `usageMetadata` is a running total: merged, last value of each
 * field wins, and reported once before the finish (translation-map §3.2, §8 #11). There is no `[DONE]`: the
 * stream ends normally when it ends after a `finishReason`.
 */
export function createGeminiStreamDecoder(): StreamDecoder {
  let started = false
  let done = false
  let finished = false
  let next = 0
  let open: Open
  let responseId: string | undefined
  let calls = 0
  const usage: JsonObject = {}
  let sawUsage = false

  const close = (out: IStreamEvent[]) => {
    if (open) out.push({ type: 'block_stop', block: open.block })
    open = undefined
  }
  const openBlock = (out: IStreamEvent[], kind: 'text' | 'thinking'): number => {
    if (open?.kind === kind) return open.block
    close(out)
    const block = next++
    out.push(
      kind === 'text'
        ? { type: 'block_start', block, kind }
        : { type: 'block_start', block, kind, origin: 'gemini' },
    )
    open = { block, kind }
    return block
  }
  const flushUsage = (out: IStreamEvent[]) => {
    const decoded = sawUsage ? decodeGeminiUsage(usage) : undefined
    if (decoded) out.push({ type: 'usage', usage: decoded })
    sawUsage = false
  }
  const fail = (out: IStreamEvent[], message: string, param?: string) => {
    close(out)
    out.push({ type: 'error', error: { status: 502, kind: 'server', message, ...(param ? { param } : {}) } })
    done = true
  }

  function readPart(out: IStreamEvent[], part: JsonObject, path: string): void {
    const signature = stringOr(part.thoughtSignature)
    const call = objectOr(part.functionCall)
    if (call) {
      close(out)
      const name = stringOr(call.name) ?? ''
      const args = isObject(call.args) ? call.args : {}
      const json = JSON.stringify(args)
      const id = geminiCallIdFor(stringOr(call.id), responseId, calls++, name + json, signature)
      const block = next++
      out.push({
        type: 'block_start',
        block,
        kind: 'tool_call',
        id,
        name,
        ...(signature ? { thoughtSignature: signature } : {}),
      })
      out.push({ type: 'arguments_delta', block, json })
      out.push({ type: 'block_stop', block })
      return
    }
    if (typeof part.text === 'string') {
      if (part.thought === true) {
        const block = openBlock(out, 'thinking')
        if (part.text !== '') out.push({ type: 'thinking_delta', block, text: part.text })
        if (signature) {
          out.push({ type: 'signature_delta', block, signature })
          close(out)
        }
        return
      }
      if (part.text !== '') out.push({ type: 'text_delta', block: openBlock(out, 'text'), text: part.text })
      if (signature) {
        close(out)
        const block = openBlock(out, 'thinking')
        out.push({ type: 'signature_delta', block, signature })
        close(out)
      }
      return
    }
    const other = Object.keys(part).find((k) => k !== 'thoughtSignature')
    if (other) fail(out, `${path}.${other}: this kind of answer part does not translate`, `${path}.${other}`)
  }

  function push(event: SseEvent): IStreamEvent[] {
    const out: IStreamEvent[] = []
    if (done) return out
    const json = parseObject(event.data)
    if (!json) {
      fail(out, 'the upstream sent an event that is not a JSON object')
      return out
    }
    if (json.error !== undefined) {
      close(out)
      const error = objectOr(json.error)
      const status = typeof error?.code === 'number' ? error.code : 500
      out.push({ type: 'error', error: decodeGeminiError(status, event.data) })
      done = true
      return out
    }
    if (!started) {
      started = true
      responseId = stringOr(json.responseId)
      out.push({ type: 'start', id: responseId ?? '', model: stringOr(json.modelVersion) ?? '' })
    }
    if (mergeUsageMetadata(usage, json.usageMetadata)) sawUsage = true
    const candidates = arrayOf(json.candidates)
    if (candidates.length > 1) {
      fail(out, 'candidates: only one answer translates', 'candidates')
      return out
    }
    const candidate = objectOr(candidates[0])
    const parts = arrayOf(objectOr(candidate?.content)?.parts)
    for (let i = 0; i < parts.length && !done; i++) {
      const part = objectOr(parts[i])
      if (part) readPart(out, part, `candidates[0].content.parts[${i}]`)
    }
    if (done) return out
    const reason = stringOr(candidate?.finishReason)
    const blocked = stringOr(objectOr(json.promptFeedback)?.blockReason)
    if ((reason !== undefined || blocked !== undefined) && !finished) {
      close(out)
      flushUsage(out)
      finished = true
      out.push({
        type: 'finish',
        reason: reason !== undefined ? decodeGeminiFinish(reason, calls > 0) : 'content_filter',
      })
    }
    return out
  }

  function end(): IStreamEvent[] {
    const out: IStreamEvent[] = []
    if (done) return out
    done = true
    if (finished) {
      flushUsage(out)
      out.push({ type: 'end' })
      return out
    }
    close(out)
    flushUsage(out)
    out.push({
      type: 'error',
      error: { status: 502, kind: 'server', message: 'the upstream stream ended before its finishReason' },
    })
    return out
  }

  return { push, end }
}
