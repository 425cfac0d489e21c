import type { IStreamEvent, JsonObject } from '../../../src/protocol/translate/internal-model.ts'
import { createSseParser } from '../../../src/protocol/sse/parse-sse-stream.ts'
import { createResponsesStreamDecoder } from '../../../src/protocol/openai/responses-decode-stream.ts'

/**
 * Checks a Responses stream the gateway wrote against the sequence OpenAI's clients expect (translation-map §3.1,
 * §8 #23); returns the problems found (none for a valid stream). Used by the codec's tests.
 */
/** A value for a problem's message. */
const show = (v: unknown): string => JSON.stringify(v) ?? 'undefined'

export function checkResponsesStream(text: string): string[] {
  const problems: string[] = []
  const events: JsonObject[] = []
  const parser = createSseParser((ev) => {
    const data = JSON.parse(ev.data) as JsonObject
    if (ev.event !== data.type) problems.push(`event name ${show(ev.event)} ≠ type ${show(data.type)}`)
    events.push(data)
  })
  parser.pushText(text)
  parser.end()
  events.forEach((e, i) => {
    if (e.sequence_number !== i) problems.push(`sequence_number ${show(e.sequence_number)} at ${i}`)
  })
  const types = events.map((e) => e.type as string)
  if (types[0] !== 'response.created' || types[1] !== 'response.in_progress')
    problems.push(`starts with ${types.slice(0, 2).join(', ')}`)
  const last = events[events.length - 1]
  const terminal = ['response.completed', 'response.incomplete', 'response.failed']
  if (!terminal.includes(last?.type as string)) problems.push(`ends with ${show(last?.type)}`)
  if (types.filter((t) => terminal.includes(t)).length !== 1) problems.push('not exactly one terminal event')
  const open = new Map<number, { item: JsonObject; text: string }>()
  const done: JsonObject[] = []
  for (const e of events.slice(0, -1)) {
    const oi = e.output_index as number
    const cur = open.get(oi)
    switch (e.type as string) {
      case 'response.output_item.added': {
        const item = e.item as JsonObject
        if (open.has(oi) || done[oi]) problems.push(`item ${oi} added twice`)
        if (item.type === 'message' && !(Array.isArray(item.content) && item.content.length === 0))
          problems.push(`message item ${oi} added without content: []`)
        if (item.type === 'function_call' && !(typeof item.id === 'string' && item.id.startsWith('fc_')))
          problems.push(`call item id ${show(item.id)}`)
        open.set(oi, { item, text: '' })
        break
      }
      case 'response.output_item.done': {
        const item = e.item as JsonObject
        if (!cur) problems.push(`item ${oi} done but not open`)
        else if (cur.item.id !== item.id) problems.push(`item ${oi} changed id`)
        open.delete(oi)
        done[oi] = item
        const full =
          item.type === 'function_call'
            ? item.arguments
            : item.type === 'custom_tool_call'
              ? item.input
              : item.type === 'message'
                ? ((item.content as JsonObject[])[0]?.text ?? (item.content as JsonObject[])[0]?.refusal)
                : ((item.summary as JsonObject[])[0]?.text ?? '')
        if (cur && full !== cur.text)
          problems.push(`item ${oi} done with ${JSON.stringify(full)} ≠ deltas ${JSON.stringify(cur.text)}`)
        break
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta':
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
      case 'response.reasoning_summary_text.delta':
        if (!cur) problems.push(`${show(e.type)} for item ${oi} not open`)
        else {
          if (e.item_id !== cur.item.id) problems.push(`${show(e.type)} item_id mismatch`)
          cur.text += e.delta as string
        }
        break
      case 'response.output_text.done':
      case 'response.function_call_arguments.done':
      case 'response.custom_tool_call_input.done':
      case 'response.reasoning_summary_text.done': {
        const full = e.text ?? e.arguments ?? e.input
        if (!cur) problems.push(`${show(e.type)} for item ${oi} not open`)
        else if (full !== cur.text)
          problems.push(`${show(e.type)} repeats ${JSON.stringify(full)} ≠ ${JSON.stringify(cur.text)}`)
        break
      }
      default:
        if (oi !== undefined && !cur) problems.push(`${show(e.type)} for item ${oi} not open`)
    }
  }
  if (open.size > 0) problems.push(`items left open: ${[...open.keys()].join(', ')}`)
  const response = (last?.response ?? {}) as JsonObject
  const output = response.output as JsonObject[] | undefined
  if (JSON.stringify(output) !== JSON.stringify(done.filter(Boolean)))
    problems.push('the terminal response.output is not the items done')
  return problems
}

/** Parses `chunks` as one SSE stream and decodes it. */
export function decodeChunks(chunks: (string | Uint8Array)[]): IStreamEvent[] {
  const decoder = createResponsesStreamDecoder()
  const out: IStreamEvent[] = []
  const parser = createSseParser((ev) => out.push(...decoder.push(ev)))
  for (const c of chunks) {
    if (typeof c === 'string') parser.pushText(c)
    else parser.push(c)
  }
  parser.end()
  out.push(...decoder.end())
  return out
}
