import type { IFinishReason, IPart, IResponse, JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { geminiCallIdFor } from './generate-ids.ts'
import { arrayOf, isObject, objectOr, stringOr } from './generate-json.ts'
import { mediaPart } from './generate-media.ts'
import { decodeGeminiFinish } from './generate-finish.ts'
import { decodeGeminiUsage } from './generate-usage.ts'

function refuse(field: string, why: string): never {
  throw new TranslationRefusal(field, `${field}: ${why}`)
}

/** A Gemini GenerateContentResponse as the internal answer (its first and only candidate). */
export function decodeGeminiResponse(json: JsonObject): IResponse {
  const candidates = arrayOf(json.candidates)
  if (candidates.length > 1) refuse('candidates', 'only one answer translates')
  const responseId = stringOr(json.responseId)
  const candidate = objectOr(candidates[0])
  const parts: IPart[] = []
  let calls = 0
  arrayOf(objectOr(candidate?.content)?.parts).forEach((p, i) => {
    const path = `candidates[0].content.parts[${i}]`
    const part = objectOr(p)
    if (!part) return
    const signature = stringOr(part.thoughtSignature)
    const call = objectOr(part.functionCall)
    if (call) {
      const name = stringOr(call.name) ?? ''
      const args = isObject(call.args) ? call.args : {}
      const id = geminiCallIdFor(
        stringOr(call.id),
        responseId,
        calls++,
        name + JSON.stringify(args),
        signature,
      )
      parts.push({
        type: 'tool_call',
        id,
        name,
        arguments: JSON.stringify(args),
        ...(signature ? { thoughtSignature: signature } : {}),
        path,
      })
      return
    }
    if (typeof part.text === 'string') {
      if (part.thought === true) {
        parts.push({
          type: 'thinking',
          text: part.text,
          origin: 'gemini',
          ...(signature ? { signature } : {}),
          path,
        })
        return
      }
      if (part.text !== '') parts.push({ type: 'text', text: part.text, path })
      if (signature) parts.push({ type: 'thinking', text: '', signature, origin: 'gemini', path })
      return
    }
    const blob = objectOr(part.inlineData)
    if (blob) {
      const mimeType = stringOr(blob.mimeType) ?? ''
      parts.push(
        mediaPart(mimeType, { kind: 'base64', mediaType: mimeType, data: stringOr(blob.data) ?? '' }, path),
      )
      return
    }
    const other = Object.keys(part).find((k) => k !== 'thoughtSignature')
    if (other) refuse(`${path}.${other}`, 'this kind of answer part does not translate')
  })
  const reason = stringOr(candidate?.finishReason)
  const blocked = stringOr(objectOr(json.promptFeedback)?.blockReason)
  let finish: IFinishReason
  if (reason !== undefined) finish = decodeGeminiFinish(reason, calls > 0)
  else if (blocked !== undefined) finish = 'content_filter'
  else finish = calls > 0 ? 'tool_calls' : 'stop'
  const res: IResponse = { id: responseId ?? '', model: stringOr(json.modelVersion) ?? '', parts, finish }
  const usage = decodeGeminiUsage(json.usageMetadata)
  if (usage) res.usage = usage
  return res
}
