import type { ResponseEncodeContext, StreamEncoder } from '../translate/dialect-codec.ts'
import type { IStreamEvent, IUsage, JsonObject } from '../translate/internal-model.ts'
import { encodeSseEvent } from '../sse/encode-sse-event.ts'
import { chatCompletionId } from './chat-encode-response.ts'
import { encodeChatStreamError } from './chat-errors.ts'
import { encodeChatFinishReason } from './chat-finish-reason.ts'
import { encodeChatUsage } from './chat-usage.ts'

/** What the encoder knows of an open block: its kind and, for a tool call, its `tool_calls[].index`. */
type BlockInfo = { kind: 'text' | 'refusal' | 'reasoning' | 'dropped' } | { kind: 'tool'; index: number }

/**
 * Internal events → Chat Completions chunks, each written as it arrives (translation map §3.2, "AN → CC"): a role
 * chunk first, `content` / `refusal` deltas, a tool call's first delta with its id, name and empty arguments, then
 * its argument fragments, under `index` = the count of tool blocks before it (§8 #13, not the upstream's block
 * number); the finish chunk; the usage chunk (`choices: []`) only when the client asked for it; `data: [DONE]`.
 * Thinking from OpenAI-family upstreams becomes `reasoning_content` deltas; Anthropic's and Gemini's is dropped
 * (§8 #2). Nothing is held back; usage is a value kept for the end.
 */
export function createChatStreamEncoder(ctx: ResponseEncodeContext): StreamEncoder {
  let id = `chatcmpl-${ctx.requestId}`
  let started = false
  let finished = false
  let closed = false
  let toolCount = 0
  let usage: IUsage | undefined
  const blocks = new Map<number, BlockInfo>()

  const chunk = (choices: JsonObject[], extra: JsonObject = {}): string => {
    const body: JsonObject = {
      id,
      object: 'chat.completion.chunk',
      created: ctx.created,
      model: ctx.model,
      choices,
    }
    if (ctx.includeUsage) body.usage = null
    return encodeSseEvent({ data: JSON.stringify({ ...body, ...extra }) })
  }
  const delta = (d: JsonObject, finishReason: string | null = null): string =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }])
  /** The role chunk, once, before anything else (also when the upstream sent no start). */
  const start = (): string => {
    if (started) return ''
    started = true
    return delta({ role: 'assistant', content: '' })
  }
  const finish = (reason: string): string => {
    if (finished) return ''
    finished = true
    return start() + delta({}, reason)
  }

  const onEvent = (ev: IStreamEvent): string => {
    switch (ev.type) {
      case 'start':
        if (!started && ev.id !== '') id = chatCompletionId(ev.id, ctx)
        return start()
      case 'block_start':
        if (ev.kind === 'tool_call') {
          const index = toolCount++
          blocks.set(ev.block, { kind: 'tool', index })
          const call = { index, id: ev.id, type: 'function', function: { name: ev.name, arguments: '' } }
          return start() + delta({ tool_calls: [call] })
        }
        if (ev.kind === 'thinking')
          blocks.set(ev.block, { kind: ev.origin === 'openai' ? 'reasoning' : 'dropped' })
        else if (ev.kind === 'redacted_thinking') blocks.set(ev.block, { kind: 'dropped' })
        else blocks.set(ev.block, { kind: ev.kind })
        return ''
      case 'text_delta': {
        const info = blocks.get(ev.block)
        if (ev.text === '' || (info !== undefined && info.kind !== 'text' && info.kind !== 'refusal'))
          return ''
        return start() + delta(info?.kind === 'refusal' ? { refusal: ev.text } : { content: ev.text })
      }
      case 'thinking_delta':
        if (ev.text === '' || blocks.get(ev.block)?.kind !== 'reasoning') return ''
        return start() + delta({ reasoning_content: ev.text })
      case 'arguments_delta': {
        const info = blocks.get(ev.block)
        if (ev.json === '' || info?.kind !== 'tool') return ''
        return start() + delta({ tool_calls: [{ index: info.index, function: { arguments: ev.json } }] })
      }
      case 'signature_delta':
      case 'block_stop':
        return ''
      case 'usage':
        usage = ev.usage
        return ''
      case 'finish':
        return finish(encodeChatFinishReason(ev.reason))
      case 'end': {
        closed = true
        let out = finish(toolCount > 0 ? 'tool_calls' : 'stop')
        if (ctx.includeUsage && usage) out += chunk([], { usage: encodeChatUsage(usage) })
        return out + encodeSseEvent({ data: '[DONE]' })
      }
      case 'error':
        closed = true
        return encodeChatStreamError(ev.error)
    }
  }

  return {
    push(ev: IStreamEvent): string {
      return closed ? '' : onEvent(ev)
    },
  }
}
