import type { RequestEncodeContext } from '../translate/dialect-codec.ts'
import type {
  IImagePart,
  IDocumentPart,
  IMediaSource,
  IMessage,
  IPart,
  IReasoning,
  IRequest,
  IToolCallPart,
  IToolResultPart,
  Json,
  JsonObject,
} from '../translate/internal-model.ts'
import { refuseField, TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeGeminiCallId } from './generate-ids.ts'
import { isObject, parseObject } from './generate-json.ts'
import { splitDataUrl, utf8ToBase64 } from './generate-media.ts'

/**
 * The documented dummy signature for function calls Gemini never signed (history from another provider):
 * Gemini 3 then skips its check instead of answering 400 (ai.google.dev/gemini-api/docs/thought-signatures).
 */
export const DUMMY_THOUGHT_SIGNATURE = 'skip_thought_signature_validator'

/** Gemini caps `stopSequences` at 5 (translation-map §1.5). */
const MAX_STOP_SEQUENCES = 5
/** Gemini function names: a letter or `_` first, then letters, digits, `_ . : -`, 64 at most. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/

/**
 * The gateway's one table from a reasoning effort to a Gemini 2.5 `thinkingBudget` (docs/translation.md ›
 * Reasoning). Gemini 3 models take the effort as `thinkingLevel` instead.
 */
export const EFFORT_TO_THINKING_BUDGET: Readonly<Record<NonNullable<IReasoning['effort']>, number>> = {
  none: 0,
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
}
const THINKING_LEVELS = new Set(['minimal', 'low', 'medium', 'high'])

function refuse(field: string, why: string): never {
  throw new TranslationRefusal(field, `${field}: ${why}`)
}

interface WirePart {
  wire: JsonObject
  ir: IPart
}
interface WireContent {
  role: 'user' | 'model'
  parts: WirePart[]
}

/**
 * The internal request as a Gemini generateContent body. The model goes in the path (not here), and so does
 * streaming (`:streamGenerateContent?alt=sse`). Dropped on purpose (docs/translation.md › Gemini): `user` and
 * `cacheKey` (Gemini has no such field), a tool's `strict` (Gemini has no switch), a JSON schema's `name`,
 * `description` and `strict`, thinking of another provider, documents' `filename`/`title`.
 */
export function encodeGeminiRequest(req: IRequest, ctx: RequestEncodeContext): JsonObject {
  const body: JsonObject = {}
  const contents = encodeContents(req.messages)
  body.contents = contents.map((c) => ({ role: c.role, parts: c.parts.map((p) => p.wire) }))
  const system = req.system.filter((s) => s.text !== '').map((s) => ({ text: s.text }))
  if (system.length > 0) body.systemInstruction = { parts: system }
  if (req.tools && req.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => {
          if (!FUNCTION_NAME.test(t.name))
            refuse(`${t.path}.name`, `${t.name} is not a valid Gemini function name`)
          const decl: JsonObject = { name: t.name }
          if (t.description !== undefined) decl.description = t.description
          // JSON Schema as the client sent it: Gemini's OpenAPI-subset `parameters` rejects common keywords.
          decl.parametersJsonSchema = t.parameters
          return decl
        }),
      },
    ]
  }
  if (req.parallelToolCalls === false)
    refuseField(req.paths, 'parallelToolCalls', 'Gemini cannot be limited to one tool call per turn')
  if (req.toolChoice) body.toolConfig = { functionCallingConfig: encodeToolChoice(req) }
  const config = encodeGenerationConfig(req, ctx)
  if (Object.keys(config).length > 0) body.generationConfig = config
  return body
}

function encodeToolChoice(req: IRequest): JsonObject {
  const choice = req.toolChoice!
  switch (choice.type) {
    case 'auto':
      return { mode: 'AUTO' }
    case 'none':
      return { mode: 'NONE' }
    case 'required':
      return { mode: 'ANY' }
    case 'tool':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] }
  }
}

function encodeContents(messages: IMessage[]): WireContent[] {
  const contents: WireContent[] = []
  for (const message of messages) {
    const role = message.role === 'assistant' ? 'model' : 'user'
    const parts: WirePart[] = []
    for (const part of message.parts) encodePart(part, role, parts)
    if (parts.length === 0) continue
    const last = contents.at(-1)
    // Consecutive turns of one role (Chat Completions' tool messages, then a user message) are one Gemini turn.
    if (last && last.role === role) last.parts.push(...parts)
    else contents.push({ role, parts })
  }
  pairFunctionResponses(contents)
  for (const c of contents) if (c.role === 'model') signFunctionCalls(c)
  return contents
}

function encodePart(part: IPart, role: 'user' | 'model', out: WirePart[]): void {
  const push = (wire: JsonObject) => out.push({ wire, ir: part })
  switch (part.type) {
    case 'text':
    case 'refusal':
      if (part.text !== '') push({ text: part.text })
      return
    case 'thinking': {
      // Another provider's thinking is valid only there: dropped, never turned into text.
      if (part.origin !== 'gemini' || part.redacted !== undefined) return
      if (part.text !== '') {
        push({
          text: part.text,
          thought: true,
          ...(part.signature ? { thoughtSignature: part.signature } : {}),
        })
        return
      }
      if (!part.signature) return
      const previous = out.at(-1)?.wire
      if (previous && typeof previous.text === 'string' && !previous.thought && !previous.thoughtSignature)
        previous.thoughtSignature = part.signature
      else push({ text: '', thoughtSignature: part.signature })
      return
    }
    case 'tool_call':
      if (role !== 'model') refuse(part.path, 'a tool call belongs in an assistant turn')
      push(encodeFunctionCall(part))
      return
    case 'tool_result':
      if (role !== 'user') refuse(part.path, 'a tool result belongs in a user turn')
      encodeToolResult(part, out)
      return
    case 'image':
    case 'document':
      push(encodeMedia(part))
      return
    case 'audio':
      push({ inlineData: { mimeType: `audio/${part.format}`, data: part.data } })
      return
  }
}

function encodeFunctionCall(part: IToolCallPart): JsonObject {
  let args: Json
  try {
    args = part.arguments.trim() === '' ? {} : (JSON.parse(part.arguments) as Json)
  } catch {
    return refuse(part.path, 'the tool call arguments are not valid JSON')
  }
  if (!isObject(args)) refuse(part.path, 'the tool call arguments are not a JSON object')
  const marked = decodeGeminiCallId(part.id)
  const call: JsonObject = { name: part.name, args }
  // Only Gemini's own ids go back to Gemini; a synthesised or another provider's id stays on our side.
  if (marked?.realId !== undefined) call.id = marked.realId
  const wire: JsonObject = { functionCall: call }
  const signature = part.thoughtSignature ?? marked?.thoughtSignature
  if (signature) wire.thoughtSignature = signature
  return wire
}

function encodeToolResult(part: IToolResultPart, out: WirePart[]): void {
  const texts: string[] = []
  const media: WirePart[] = []
  if (typeof part.content === 'string') texts.push(part.content)
  else
    for (const item of part.content) {
      if (item.type === 'text') texts.push(item.text)
      // Gemini 2.5 has no media inside a function response: the image follows it in the same user turn.
      else media.push({ wire: encodeMedia(item), ir: item })
    }
  const text = texts.join('\n')
  const asObject = part.isError ? undefined : parseObject(text)
  // Gemini wants an object: a JSON object as is, other text as {output}, an error as {error}.
  const response: JsonObject = asObject ?? (part.isError ? { error: text } : { output: text })
  const fr: JsonObject = { name: part.name ?? '', response }
  const marked = decodeGeminiCallId(part.callId)
  if (marked?.realId !== undefined) fr.id = marked.realId
  out.push({ wire: { functionResponse: fr }, ir: part }, ...media)
}

function encodeMedia(part: IImagePart | IDocumentPart): JsonObject {
  const source: IMediaSource = part.source
  switch (source.kind) {
    case 'base64':
      return { inlineData: { mimeType: source.mediaType, data: source.data } }
    case 'text':
      return { inlineData: { mimeType: 'text/plain', data: utf8ToBase64(source.text) } }
    case 'file_id':
      if (source.origin !== 'gemini')
        refuse(part.path, `a file id of ${source.origin} cannot be used with Gemini`)
      return {
        fileData: { ...(source.mediaType ? { mimeType: source.mediaType } : {}), fileUri: source.fileId },
      }
    case 'url': {
      const inline = splitDataUrl(source.url)
      if (inline) return { inlineData: { mimeType: inline.mediaType, data: inline.data } }
      // Fetching a URL is IO on the user's behalf, which a pure codec cannot do: the client must inline it.
      return refuse(part.path, 'Gemini cannot read a web URL; send the file inline as base64')
    }
  }
}

/**
 * Gemini answers 400 unless the turn after a model turn with N function calls holds N function responses
 * (translation-map §1.1, §8 #16): each result is named after its call (Gemini requires the name, other clients
 * send only the id) and placed first, in call order.
 */
function pairFunctionResponses(contents: WireContent[]): void {
  contents.forEach((content, i) => {
    const results = content.parts.filter((p) => p.ir.type === 'tool_result')
    const previous = contents[i - 1]
    const calls = previous?.role === 'model' ? previous.parts.filter((p) => p.ir.type === 'tool_call') : []
    if (content.role === 'model') {
      const next = contents[i + 1]
      if (!next) return
      const answered = new Set(
        next.role === 'user'
          ? next.parts.flatMap((p) => (p.ir.type === 'tool_result' ? [p.ir.callId] : []))
          : [],
      )
      for (const call of content.parts) {
        if (call.ir.type === 'tool_call' && !answered.has(call.ir.id))
          refuse(call.ir.path, 'has no tool result in the next turn (Gemini needs one response per call)')
      }
      return
    }
    if (results.length === 0) return
    const order = new Map<string, number>()
    calls.forEach((c, n) => order.set((c.ir as IToolCallPart).id, n))
    const seen = new Set<string>()
    for (const r of results) {
      const result = r.ir as IToolResultPart
      const n = order.get(result.callId)
      if (n === undefined) refuse(result.path, 'answers no tool call of the previous assistant turn')
      if (seen.has(result.callId)) refuse(result.path, 'answers a tool call that already has a result')
      seen.add(result.callId)
      const fr = r.wire.functionResponse as JsonObject
      fr.name = (calls[n].ir as IToolCallPart).name
    }
    // Function responses first, in the order of their calls; then the turn's other parts, as they came.
    const rank = (p: WirePart) => (p.ir.type === 'tool_result' ? order.get(p.ir.callId)! : calls.length)
    const sorted = content.parts.map((p, k) => ({ p, k })).sort((a, b) => rank(a.p) - rank(b.p) || a.k - b.k)
    content.parts = sorted.map((x) => x.p)
  })
}

/** A model turn whose calls Gemini never signed (history from another provider) gets the documented dummy. */
function signFunctionCalls(content: WireContent): void {
  const calls = content.parts.filter((p) => p.ir.type === 'tool_call')
  if (calls.length === 0 || calls.some((p) => p.wire.thoughtSignature)) return
  const fromGemini = calls.every((p) => decodeGeminiCallId((p.ir as IToolCallPart).id) !== undefined)
  if (!fromGemini) calls[0].wire.thoughtSignature = DUMMY_THOUGHT_SIGNATURE
}

function encodeGenerationConfig(req: IRequest, ctx: RequestEncodeContext): JsonObject {
  const gc: JsonObject = {}
  const { paths } = req
  const range = (field: 'temperature' | 'topP', value: number | undefined, max: number) => {
    if (value === undefined) return
    if (value < 0 || value > max) refuseField(paths, field, `must be between 0 and ${max} for Gemini`)
    gc[field] = value
  }
  range('temperature', req.temperature, 2)
  range('topP', req.topP, 1)
  const positiveInt = (field: 'topK' | 'maxOutputTokens', value: number | undefined) => {
    if (value === undefined) return
    if (!Number.isInteger(value) || value < 1)
      refuseField(paths, field, 'must be a positive integer for Gemini')
    gc[field] = value
  }
  positiveInt('topK', req.topK)
  positiveInt('maxOutputTokens', req.maxOutputTokens)
  if (req.stop && req.stop.length > 0) {
    if (req.stop.length > MAX_STOP_SEQUENCES)
      refuseField(paths, 'stop', `Gemini takes at most ${MAX_STOP_SEQUENCES} stop sequences`)
    gc.stopSequences = req.stop
  }
  if (req.candidateCount !== undefined) {
    if (req.candidateCount !== 1) refuseField(paths, 'candidateCount', 'only one answer translates')
    gc.candidateCount = 1
  }
  if (req.seed !== undefined) {
    if (!Number.isInteger(req.seed)) refuseField(paths, 'seed', 'must be an integer for Gemini')
    gc.seed = req.seed
  }
  if (req.presencePenalty !== undefined) gc.presencePenalty = req.presencePenalty
  if (req.frequencyPenalty !== undefined) gc.frequencyPenalty = req.frequencyPenalty
  if (req.output) {
    if (req.output.type === 'text') gc.responseMimeType = 'text/plain'
    else {
      gc.responseMimeType = 'application/json'
      // JSON Schema as is (generationConfig.responseJsonSchema), not the OpenAPI subset of responseSchema.
      if (req.output.type === 'json_schema') gc.responseJsonSchema = req.output.schema
    }
  }
  if (req.reasoning) {
    const thinking = encodeThinking(req, ctx.upstreamModel)
    if (Object.keys(thinking).length > 0) gc.thinkingConfig = thinking
  }
  return gc
}

function encodeThinking(req: IRequest, model: string): JsonObject {
  const r = req.reasoning!
  const out: JsonObject = {}
  const gemini3 = /gemini-3/i.test(model)
  if (!r.enabled) out.thinkingBudget = 0
  else if (r.budgetTokens !== undefined) out.thinkingBudget = r.budgetTokens
  else if (r.effort !== undefined) {
    if (gemini3 && THINKING_LEVELS.has(r.effort)) out.thinkingLevel = r.effort
    else if (gemini3 && r.effort === 'xhigh')
      refuseField(req.paths, 'reasoning', 'Gemini 3 has no thinking level above high')
    else out.thinkingBudget = EFFORT_TO_THINKING_BUDGET[r.effort]
  } else if (r.adaptive) out.thinkingBudget = -1
  // Thoughts are shown when asked for (a summary), and for Anthropic-style thinking (a budget, or adaptive),
  // whose clients show thinking blocks; an effort alone (Chat Completions) asks for none.
  if (r.enabled && (r.summary !== undefined || r.budgetTokens !== undefined || r.adaptive))
    out.includeThoughts = true
  return out
}
