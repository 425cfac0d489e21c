import type { IThinkingPart, IToolCallPart, JsonObject } from '../translate/internal-model.ts'
import { callItemIdOf, customCallItemIdOf, reasoningItemIdOf } from './responses-item-ids.ts'
import { tagEncryptedContent } from './responses-reasoning-tag.ts'

/** Output items of a Responses answer, shared by the plain answer and the stream's `*.done` events. */

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete'

/** A text or refusal content part. */
export function contentPart(kind: 'text' | 'refusal', text: string): JsonObject {
  return kind === 'text' ? { type: 'output_text', text, annotations: [] } : { type: 'refusal', refusal: text }
}

export function messageItem(id: string, content: JsonObject[], status: ItemStatus): JsonObject {
  return { id, type: 'message', status, role: 'assistant', content }
}

/** A call as `function_call`, or as `custom_tool_call` for a freeform tool (its `{input}` argument unwrapped). */
export function callItem(
  call: Pick<IToolCallPart, 'id' | 'name' | 'arguments' | 'itemId'>,
  custom: boolean,
  status: ItemStatus,
): JsonObject {
  if (custom) {
    const id = call.itemId?.startsWith('ctc_') ? call.itemId : customCallItemIdOf(call.id)
    return {
      id,
      type: 'custom_tool_call',
      status,
      call_id: call.id,
      name: call.name,
      input: customInput(call.arguments),
    }
  }
  const id = call.itemId?.startsWith('fc_') ? call.itemId : callItemIdOf(call.id)
  return { id, type: 'function_call', status, call_id: call.id, name: call.name, arguments: call.arguments }
}

/** The `input` of a freeform call from its `{"input": …}` arguments (the raw text if they are not that shape). */
export function customInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args)
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'input' in parsed &&
      typeof parsed.input === 'string'
    )
      return parsed.input
  } catch {
    // a model's malformed arguments reach the client as they are
  }
  return args
}

/** A reasoning item: OpenAI's own id and encrypted content, or another provider's replay token tagged. */
export function reasoningItem(
  t: Pick<IThinkingPart, 'text' | 'signature' | 'redacted' | 'origin' | 'itemId'>,
  responseId: string,
  outputIndex: number,
): JsonObject {
  const id =
    t.origin === 'openai' && t.itemId?.startsWith('rs_')
      ? t.itemId
      : reasoningItemIdOf(responseId, outputIndex)
  const item: JsonObject = {
    id,
    type: 'reasoning',
    summary: t.text === '' ? [] : [{ type: 'summary_text', text: t.text }],
  }
  const encrypted = tagEncryptedContent(t)
  if (encrypted !== undefined) item.encrypted_content = encrypted
  return item
}
