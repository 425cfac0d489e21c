import type { IPart, IResponse, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeContentPart } from './responses-decode-content.ts'
import { decodeCallItem, decodeReasoningItem } from './responses-decode-input.ts'
import { decodeResponsesFinish } from './responses-finish.ts'
import { isObject, readArray, readObject, readString } from './responses-read-json.ts'
import { decodeResponsesUsage } from './responses-usage.ts'

/** An upstream Responses answer (`object: "response"`) as the internal answer. */
export function decodeResponsesResponse(json: JsonObject): IResponse {
  const parts: IPart[] = []
  let calls = false
  ;(readArray(json, 'output', 'output') ?? []).forEach((item, i) => {
    const path = `output[${i}]`
    if (!isObject(item)) throw new TranslationRefusal(path, `${path}: expected an item`)
    const type = typeof item.type === 'string' ? item.type : ''
    switch (type) {
      case 'message':
        for (const [j, c] of (readArray(item, 'content', `${path}.content`) ?? []).entries()) {
          parts.push(decodeContentPart(c, `${path}.content[${j}]`))
        }
        return
      case 'function_call':
      case 'custom_tool_call':
        calls = true
        parts.push(decodeCallItem(item, path, type === 'custom_tool_call'))
        return
      case 'reasoning':
        parts.push(decodeReasoningItem(item, path))
        return
      default:
        // A built-in tool's item: the gateway never asks another provider's client's request for one.
        throw new TranslationRefusal(path, `${path}: output item "${type}" cannot be translated`)
    }
  })
  const details = readObject(json, 'incomplete_details', 'incomplete_details')
  const res: IResponse = {
    id: readString(json, 'id', 'id') ?? '',
    model: readString(json, 'model', 'model') ?? '',
    parts,
    finish: decodeResponsesFinish(
      readString(json, 'status', 'status'),
      details ? readString(details, 'reason', 'incomplete_details.reason') : undefined,
      calls,
    ),
  }
  const usage = decodeResponsesUsage(json.usage)
  if (usage) res.usage = usage
  return res
}
