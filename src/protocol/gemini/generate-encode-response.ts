import type { ResponseEncodeContext } from '../translate/dialect-codec.ts'
import type { IPart, IResponse, Json, JsonObject } from '../translate/internal-model.ts'
import { decodeGeminiCallId } from './generate-ids.ts'
import { isObject } from './generate-json.ts'
import { encodeGeminiFinish } from './generate-finish.ts'
import { encodeGeminiUsage } from './generate-usage.ts'

/**
 * A tool call as a Gemini client's `functionCall` part. The id is the one the client must echo in
 * `functionResponse.id`: another provider's id as is, Gemini's own unwrapped, none for a synthesised one.
 */
export function encodeGeminiFunctionCall(
  id: string,
  name: string,
  args: Json,
  signature?: string,
): JsonObject {
  const marked = decodeGeminiCallId(id)
  const call: JsonObject = {}
  const realId = marked ? marked.realId : id
  if (realId !== undefined) call.id = realId
  call.name = name
  call.args = isObject(args) ? args : {}
  const part: JsonObject = { functionCall: call }
  const sig = signature ?? marked?.thoughtSignature
  if (sig) part.thoughtSignature = sig
  return part
}

/** Parsed tool-call arguments; text that is not a JSON object (a weak model's) is kept under `arguments`. */
export function parseCallArguments(text: string): Json {
  if (text.trim() === '') return {}
  try {
    const value = JSON.parse(text) as Json
    return isObject(value) ? value : { arguments: text }
  } catch {
    return { arguments: text }
  }
}

function encodeParts(parts: IPart[]): JsonObject[] {
  const out: JsonObject[] = []
  for (const part of parts) {
    switch (part.type) {
      case 'text':
      case 'refusal':
        if (part.text !== '') out.push({ text: part.text })
        break
      case 'thinking': {
        if (part.redacted !== undefined) break
        // Another provider's signature means nothing to a Gemini client: its text is shown, the token is not.
        const signature = part.origin === 'gemini' ? part.signature : undefined
        if (part.text !== '')
          out.push({ text: part.text, thought: true, ...(signature ? { thoughtSignature: signature } : {}) })
        else if (signature) {
          const previous = out.at(-1)
          if (
            previous &&
            typeof previous.text === 'string' &&
            !previous.thought &&
            !previous.thoughtSignature
          )
            previous.thoughtSignature = signature
          else out.push({ text: '', thoughtSignature: signature })
        }
        break
      }
      case 'tool_call':
        out.push(
          encodeGeminiFunctionCall(
            part.id,
            part.name,
            parseCallArguments(part.arguments),
            part.thoughtSignature,
          ),
        )
        break
      case 'image':
      case 'document':
        if (part.source.kind === 'base64')
          out.push({ inlineData: { mimeType: part.source.mediaType, data: part.source.data } })
        break
      case 'audio':
        out.push({ inlineData: { mimeType: `audio/${part.format}`, data: part.data } })
        break
      case 'tool_result':
        break
    }
  }
  return out
}

/** The internal answer as a Gemini GenerateContentResponse for a Gemini client. */
export function encodeGeminiResponse(res: IResponse, ctx: ResponseEncodeContext): JsonObject {
  const body: JsonObject = {
    candidates: [
      {
        content: { role: 'model', parts: encodeParts(res.parts) },
        finishReason: encodeGeminiFinish(res.finish),
        index: 0,
      },
    ],
  }
  if (res.usage) body.usageMetadata = encodeGeminiUsage(res.usage)
  body.modelVersion = ctx.model
  body.responseId = res.id || ctx.requestId
  return body
}
