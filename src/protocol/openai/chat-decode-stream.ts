import type { StreamDecoder } from '../translate/dialect-codec.ts'
import type { IFinishReason, IStreamEvent, IUsage, Json, JsonObject } from '../translate/internal-model.ts'
import type { SseEvent } from '../sse/parse-sse-stream.ts'
import { decodeChatErrorObject } from './chat-errors.ts'
import { decodeChatFinishReason } from './chat-finish-reason.ts'
import { isObject, parseJsonObject } from './chat-read-json.ts'
import { decodeChatUsage } from './chat-usage.ts'

/** The sequential (non-tool) block kinds a chat delta carries. */
type FlowKind = 'text' | 'thinking' | 'refusal'

/**
 * Chat Completions chunks → internal events (translation map §3.1). Text, refusal and reasoning (`reasoning_content`
 * of DeepSeek-style servers) each open a block at their first non-empty fragment; a block of another kind or a tool
 * call closes it. Each `tool_calls[].index` is its own block, opened by its first fragment (id and name) and kept
 * open until the finish, since indexes may interleave. Usage is kept, last value wins (the usage chunk with
 * `choices: []`, or usage on the last content chunk from compatible servers), and sent once before the finish,
 * which is sent at `[DONE]`.
 */
export function createChatStreamDecoder(): StreamDecoder {
  let started = false
  let finished = false
  let nextBlock = 0
  let flow: { kind: FlowKind; block: number } | undefined
  /** Upstream tool index → block number, for the open tool blocks in opening order. */
  const tools = new Map<number, number>()
  let finish: IFinishReason | undefined
  let usage: IUsage | undefined

  const closeFlow = (out: IStreamEvent[]): void => {
    if (flow) out.push({ type: 'block_stop', block: flow.block })
    flow = undefined
  }
  const closeAll = (out: IStreamEvent[]): void => {
    closeFlow(out)
    for (const block of tools.values()) out.push({ type: 'block_stop', block })
    tools.clear()
  }
  const flowDelta = (out: IStreamEvent[], kind: FlowKind, text: string): void => {
    if (flow?.kind !== kind) {
      closeFlow(out)
      flow = { kind, block: nextBlock++ }
      out.push(
        kind === 'thinking'
          ? { type: 'block_start', block: flow.block, kind, origin: 'openai' }
          : { type: 'block_start', block: flow.block, kind },
      )
    }
    out.push(
      kind === 'thinking'
        ? { type: 'thinking_delta', block: flow.block, text }
        : { type: 'text_delta', block: flow.block, text },
    )
  }
  const toolDelta = (out: IStreamEvent[], raw: Json, chunkId: string): void => {
    if (!isObject(raw)) return
    const index = typeof raw.index === 'number' ? raw.index : 0
    const fn = isObject(raw.function) ? raw.function : {}
    let block = tools.get(index)
    if (block === undefined) {
      closeFlow(out)
      block = nextBlock++
      tools.set(index, block)
      const id = typeof raw.id === 'string' && raw.id !== '' ? raw.id : `call_${chunkId}_${index}`
      out.push({
        type: 'block_start',
        block,
        kind: 'tool_call',
        id,
        name: typeof fn.name === 'string' ? fn.name : '',
      })
    }
    if (typeof fn.arguments === 'string' && fn.arguments !== '') {
      out.push({ type: 'arguments_delta', block, json: fn.arguments })
    }
  }
  const chunk = (obj: JsonObject): IStreamEvent[] => {
    const out: IStreamEvent[] = []
    const id = typeof obj.id === 'string' ? obj.id : ''
    if (!started) {
      started = true
      out.push({ type: 'start', id, model: typeof obj.model === 'string' ? obj.model : '' })
    }
    const choices = Array.isArray(obj.choices) ? obj.choices : []
    const choice = choices[0]
    if (isObject(choice)) {
      const delta = isObject(choice.delta) ? choice.delta : {}
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') {
        flowDelta(out, 'thinking', delta.reasoning_content)
      }
      if (typeof delta.content === 'string' && delta.content !== '') flowDelta(out, 'text', delta.content)
      if (typeof delta.refusal === 'string' && delta.refusal !== '') flowDelta(out, 'refusal', delta.refusal)
      if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) toolDelta(out, call, id)
      if (typeof choice.finish_reason === 'string') {
        closeAll(out)
        finish = decodeChatFinishReason(choice.finish_reason)
      }
    }
    usage = decodeChatUsage(obj.usage) ?? usage
    return out
  }
  /** The finish (with the usage before it) once the stream is complete. */
  const complete = (): IStreamEvent[] => {
    const out: IStreamEvent[] = []
    closeAll(out)
    if (usage) out.push({ type: 'usage', usage })
    out.push({ type: 'finish', reason: finish ?? 'other' }, { type: 'end' })
    finished = true
    return out
  }

  return {
    push(ev: SseEvent): IStreamEvent[] {
      if (finished) return []
      if (ev.data.trim() === '[DONE]') return complete()
      const obj = parseJsonObject(ev.data)
      if (!obj) return []
      if (isObject(obj.error)) {
        const out: IStreamEvent[] = []
        closeAll(out)
        if (usage) out.push({ type: 'usage', usage })
        out.push({ type: 'error', error: decodeChatErrorObject(obj) })
        finished = true
        return out
      }
      return chunk(obj)
    },
    // A stream cut before `[DONE]`: complete it when the finish had arrived (some servers omit `[DONE]`); otherwise
    // only close what is open, and the caller reports the cut.
    end(): IStreamEvent[] {
      if (finished) return []
      if (finish !== undefined) return complete()
      const out: IStreamEvent[] = []
      closeAll(out)
      return out
    },
  }
}
