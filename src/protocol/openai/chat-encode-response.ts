import type { ResponseEncodeContext } from '../translate/dialect-codec.ts'
import type { IResponse, JsonObject } from '../translate/internal-model.ts'
import { encodeChatFinishReason } from './chat-finish-reason.ts'
import { encodeChatUsage } from './chat-usage.ts'

/** The answer's id: the upstream's, else one made from the gateway's request id. */
export const chatCompletionId = (upstreamId: string, ctx: ResponseEncodeContext): string =>
  upstreamId !== '' ? upstreamId : `chatcmpl-${ctx.requestId}`

/**
 * IResponse → a `chat.completion` body: text joined into `content`, refusals into `refusal`, calls into `tool_calls`
 * (ids and argument strings unchanged). Thinking from OpenAI-family upstreams (DeepSeek-style `reasoning_content`,
 * Responses summaries) is kept as `reasoning_content`; Anthropic's and Gemini's is dropped (their signatures mean
 * nothing here and thinking never becomes visible text, translation map §8 #2).
 */
export function encodeChatResponse(res: IResponse, ctx: ResponseEncodeContext): JsonObject {
  const texts: string[] = []
  const reasoning: string[] = []
  let refusal: string | null = null
  const calls: JsonObject[] = []
  for (const part of res.parts) {
    if (part.type === 'text') texts.push(part.text)
    else if (part.type === 'refusal') refusal = (refusal ?? '') + part.text
    else if (part.type === 'thinking' && part.origin === 'openai' && part.text !== '')
      reasoning.push(part.text)
    else if (part.type === 'tool_call') {
      calls.push({ id: part.id, type: 'function', function: { name: part.name, arguments: part.arguments } })
    }
  }
  const message: JsonObject = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
    refusal,
  }
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('')
  if (calls.length > 0) message.tool_calls = calls
  const out: JsonObject = {
    id: chatCompletionId(res.id, ctx),
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: encodeChatFinishReason(res.finish) }],
  }
  if (res.usage) out.usage = encodeChatUsage(res.usage)
  return out
}
