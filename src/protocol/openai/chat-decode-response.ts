import type { IPart, IResponse, JsonObject } from '../translate/internal-model.ts'
import { decodeChatFinishReason } from './chat-finish-reason.ts'
import { isObject, isUnset, optionalString, readArray, readObject, readString } from './chat-read-json.ts'
import { decodeChatUsage } from './chat-usage.ts'

/**
 * A `chat.completion` body → IResponse: the first choice's reasoning (`reasoning_content`, which DeepSeek-style
 * servers add), text, refusal and tool calls with their ids and argument strings, its finish reason and the usage.
 * Only one choice is asked for (the request encoder refuses `n` above 1).
 */
export function decodeChatResponse(json: JsonObject): IResponse {
  const choices = readArray(json.choices ?? [], 'choices')
  const choice = choices.length > 0 ? readObject(choices[0], 'choices[0]') : {}
  const message = isObject(choice.message) ? choice.message : {}
  const base = 'choices[0].message'
  const parts: IPart[] = []
  const reasoning = optionalString(message.reasoning_content, `${base}.reasoning_content`)
  if (reasoning)
    parts.push({ type: 'thinking', text: reasoning, origin: 'openai', path: `${base}.reasoning_content` })
  const content = optionalString(message.content, `${base}.content`)
  if (content) parts.push({ type: 'text', text: content, path: `${base}.content` })
  const refusal = optionalString(message.refusal, `${base}.refusal`)
  if (refusal !== undefined) parts.push({ type: 'refusal', text: refusal, path: `${base}.refusal` })
  if (!isUnset(message.tool_calls)) {
    readArray(message.tool_calls, `${base}.tool_calls`).forEach((c, j) => {
      const path = `${base}.tool_calls[${j}]`
      const call = readObject(c, path)
      const fn = readObject(call.function, `${path}.function`)
      parts.push({
        type: 'tool_call',
        id: readString(call.id, `${path}.id`),
        name: readString(fn.name, `${path}.function.name`),
        arguments: typeof fn.arguments === 'string' ? fn.arguments : '',
        path,
      })
    })
  }
  const res: IResponse = {
    id: typeof json.id === 'string' ? json.id : '',
    model: typeof json.model === 'string' ? json.model : '',
    parts,
    finish: decodeChatFinishReason(choice.finish_reason),
  }
  const usage = decodeChatUsage(json.usage)
  if (usage) res.usage = usage
  return res
}
