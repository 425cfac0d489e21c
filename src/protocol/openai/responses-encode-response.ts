import type { ResponseEncodeContext } from '../translate/dialect-codec.ts'
import type { IResponse, JsonObject } from '../translate/internal-model.ts'
import { encodeResponsesFinish } from './responses-finish.ts'
import { messageItemIdOf, responseIdOf } from './responses-item-ids.ts'
import { callItem, contentPart, messageItem, reasoningItem } from './responses-output-items.ts'
import { encodeResponsesUsage } from './responses-usage.ts'

/**
 * The internal answer as a Responses `response` object for a Responses client: one item per part (text and
 * refusal parts in message items), ids derived deterministically where the upstream had none of OpenAI's form.
 */
export function encodeResponsesResponse(res: IResponse, ctx: ResponseEncodeContext): JsonObject {
  const id = responseIdOf(res.id || ctx.requestId)
  const custom = new Set(ctx.customTools ?? [])
  const output: JsonObject[] = []
  for (const p of res.parts) {
    const index = output.length
    switch (p.type) {
      case 'text':
      case 'refusal':
        output.push(messageItem(messageItemIdOf(id, index), [contentPart(p.type, p.text)], 'completed'))
        break
      case 'tool_call':
        output.push(callItem(p, custom.has(p.name), 'completed'))
        break
      case 'thinking':
        output.push(reasoningItem(p, id, index))
        break
      case 'image':
      case 'document':
      case 'audio':
      case 'tool_result':
        // Answers carry text, calls, thinking and refusals only (IResponse.parts).
        break
    }
  }
  const status = encodeResponsesFinish(res.finish)
  return {
    id,
    object: 'response',
    created_at: ctx.created,
    status: status.status,
    error: status.error,
    incomplete_details: status.incomplete_details,
    model: ctx.model,
    output,
    usage: res.usage ? encodeResponsesUsage(res.usage) : null,
  }
}
