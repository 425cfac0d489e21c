import type { RequestEncodeContext } from '../translate/dialect-codec.ts'
import type {
  IDocumentPart,
  IImagePart,
  IMessage,
  IPart,
  IReasoning,
  IRequest,
  IThinkingPart,
  IToolCallPart,
  IToolResultPart,
  Json,
  JsonObject,
} from '../translate/internal-model.ts'
import { TranslationRefusal, refuseField } from '../translate/translation-refusal.ts'

function refuse(path: string, why: string): never {
  throw new TranslationRefusal(path, `${path}: ${why}`)
}

const dataUrl = (mediaType: string, data: string): string => `data:${mediaType};base64,${data}`

function encodeImage(p: IImagePart): JsonObject {
  const s = p.source
  const out: JsonObject = { type: 'input_image', detail: p.detail ?? 'auto' }
  if (s.kind === 'url') out.image_url = s.url
  else if (s.kind === 'base64') out.image_url = dataUrl(s.mediaType, s.data)
  else if (s.kind === 'file_id' && s.origin === 'openai') out.file_id = s.fileId
  else
    refuse(
      p.path,
      s.kind === 'file_id' ? "another provider's file id cannot be sent to OpenAI" : 'not an image',
    )
  return out
}

function encodeDocument(p: IDocumentPart): JsonObject {
  const s = p.source
  const out: JsonObject = { type: 'input_file' }
  if (s.kind === 'base64') {
    out.file_data = dataUrl(s.mediaType, s.data)
    // OpenAI wants a name with inline file data; the title or the media type's subtype stands in.
    out.filename = p.filename ?? p.title ?? `document.${s.mediaType.split('/')[1] ?? 'bin'}`
  } else if (s.kind === 'url') out.file_url = s.url
  else if (s.kind === 'file_id' && s.origin === 'openai') out.file_id = s.fileId
  else
    refuse(
      p.path,
      s.kind === 'text'
        ? 'a plain-text document has no Responses equivalent'
        : "another provider's file id cannot be sent to OpenAI",
    )
  if (s.kind !== 'base64' && p.filename !== undefined) out.filename = p.filename
  return out
}

function encodeContent(p: IPart, role: 'user' | 'assistant'): JsonObject {
  switch (p.type) {
    case 'text':
      return role === 'user' ? { type: 'input_text', text: p.text } : { type: 'output_text', text: p.text }
    case 'refusal':
      if (role === 'assistant') return { type: 'refusal', refusal: p.text }
      return refuse(p.path, 'a refusal belongs to an assistant turn')
    case 'image':
      if (role === 'user') return encodeImage(p)
      return refuse(p.path, 'an assistant turn cannot carry images in Responses')
    case 'document':
      if (role === 'user') return encodeDocument(p)
      return refuse(p.path, 'an assistant turn cannot carry documents in Responses')
    case 'audio':
      return refuse(p.path, 'Responses takes no audio input')
    case 'thinking':
    case 'tool_call':
    case 'tool_result':
      return refuse(p.path, `a ${p.type} part cannot stand here`)
  }
}

function parseCustomInput(call: IToolCallPart): string {
  try {
    const args = JSON.parse(call.arguments === '' ? '{}' : call.arguments) as Json
    if (typeof args === 'object' && args !== null && !Array.isArray(args) && typeof args.input === 'string')
      return args.input
  } catch {
    // refused below
  }
  return refuse(`${call.path}.arguments`, 'a freeform tool call needs {"input": string} arguments')
}

function encodeCall(call: IToolCallPart, custom: boolean): JsonObject {
  if (custom) {
    const item: JsonObject = {
      type: 'custom_tool_call',
      call_id: call.id,
      name: call.name,
      input: parseCustomInput(call),
    }
    if (call.itemId?.startsWith('ctc_')) item.id = call.itemId
    return item
  }
  const item: JsonObject = {
    type: 'function_call',
    call_id: call.id,
    name: call.name,
    arguments: call.arguments,
  }
  // Only OpenAI's own item id may go back (an `fc_…`); a call_… there is a 400 (translation-map §8 #22).
  if (call.itemId?.startsWith('fc_')) item.id = call.itemId
  return item
}

function encodeResult(r: IToolResultPart, custom: boolean): JsonObject {
  const output: Json =
    typeof r.content === 'string' ? r.content : r.content.map((p) => encodeContent(p, 'user'))
  return { type: custom ? 'custom_tool_call_output' : 'function_call_output', call_id: r.callId, output }
}

/** OpenAI's own reasoning items go back unchanged; another provider's thinking is dropped (§8 #2). */
function encodeReasoning(t: IThinkingPart): JsonObject | undefined {
  if (t.origin !== 'openai' || t.itemId === undefined) return undefined
  const item: JsonObject = {
    type: 'reasoning',
    id: t.itemId,
    summary: t.text === '' ? [] : [{ type: 'summary_text', text: t.text }],
  }
  if (t.signature !== undefined) item.encrypted_content = t.signature
  return item
}

function encodeMessages(messages: IMessage[], customTools: Set<string>): JsonObject[] {
  const items: JsonObject[] = []
  const callNames = new Map<string, string>()
  for (const m of messages) {
    let content: JsonObject[] = []
    const flush = (): void => {
      if (content.length === 0) return
      items.push({ type: 'message', role: m.role, content })
      content = []
    }
    for (const p of m.parts) {
      if (p.type === 'tool_call') {
        flush()
        callNames.set(p.id, p.name)
        items.push(encodeCall(p, customTools.has(p.name)))
      } else if (p.type === 'tool_result') {
        flush()
        items.push(encodeResult(p, customTools.has(p.name ?? callNames.get(p.callId) ?? '')))
      } else if (p.type === 'thinking') {
        flush()
        const item = encodeReasoning(p)
        if (item) items.push(item)
      } else content.push(encodeContent(p, m.role))
    }
    flush()
  }
  return items
}

/** Effort for a token budget where the client gave no effort (Anthropic, Gemini); docs/translation.md › Reasoning. */
function effortOfBudget(budget: number): IReasoning['effort'] {
  if (budget <= 2048) return 'low'
  if (budget <= 12288) return 'medium'
  return 'high'
}

function encodeReasoningSetting(r: IReasoning): JsonObject {
  if (!r.enabled) return { effort: 'none' }
  const out: JsonObject = {}
  const effort =
    r.effort ??
    (r.budgetTokens !== undefined && r.budgetTokens >= 0 ? effortOfBudget(r.budgetTokens) : undefined)
  if (effort !== undefined) out.effort = effort
  // A client asking for thinking gets the reasoning summaries, the only reasoning text OpenAI returns (§8 #24).
  out.summary = r.summary ?? 'auto'
  return out
}

function checkSampling(req: IRequest): void {
  const p = req.paths
  if (req.temperature !== undefined && (req.temperature < 0 || req.temperature > 2))
    refuseField(p, 'temperature', 'OpenAI accepts 0 to 2')
  if (req.topP !== undefined && (req.topP < 0 || req.topP > 1))
    refuseField(p, 'topP', 'OpenAI accepts 0 to 1')
  if (req.topK !== undefined) refuseField(p, 'topK', 'OpenAI has no top_k')
  if (req.stop !== undefined && req.stop.length > 0)
    refuseField(p, 'stop', 'the Responses API has no stop sequences')
  if (req.seed !== undefined) refuseField(p, 'seed', 'the Responses API has no seed')
  if (req.presencePenalty !== undefined)
    refuseField(p, 'presencePenalty', 'the Responses API has no presence penalty')
  if (req.frequencyPenalty !== undefined)
    refuseField(p, 'frequencyPenalty', 'the Responses API has no frequency penalty')
  if (req.candidateCount !== undefined && req.candidateCount !== 1)
    refuseField(p, 'candidateCount', 'the Responses API returns one answer')
  if (req.maxOutputTokens !== undefined && req.maxOutputTokens < 16)
    refuseField(p, 'maxOutputTokens', 'OpenAI Responses needs at least 16')
}

/**
 * The internal request as a Responses body for an OpenAI upstream. Stateless: `store:false`, the whole history
 * in `input`, and the encrypted reasoning asked back when reasoning is on, so it can be replayed next turn.
 */
export function encodeResponsesRequest(req: IRequest, ctx: RequestEncodeContext): JsonObject {
  checkSampling(req)
  const body: JsonObject = { model: ctx.upstreamModel }
  const system = [...req.system]
  if (system[0]?.role === 'system') body.instructions = system.shift()!.text
  const customTools = new Set((req.tools ?? []).filter((t) => t.custom).map((t) => t.name))
  body.input = [
    ...system.map((s): JsonObject => ({
      type: 'message',
      role: s.role,
      content: [{ type: 'input_text', text: s.text }],
    })),
    ...encodeMessages(req.messages, customTools),
  ]
  if (req.tools && req.tools.length > 0) {
    body.tools = req.tools.map((t): JsonObject => {
      if (t.custom) {
        const tool: JsonObject = { type: 'custom', name: t.name }
        if (t.description !== undefined) tool.description = t.description
        if (t.custom.format) tool.format = t.custom.format
        return tool
      }
      // Responses makes function tools strict unless told otherwise; a schema from another dialect is not.
      const tool: JsonObject = {
        type: 'function',
        name: t.name,
        parameters: t.parameters,
        strict: t.strict ?? false,
      }
      if (t.description !== undefined) tool.description = t.description
      return tool
    })
  }
  const choice = req.toolChoice
  if (choice) {
    if (choice.type === 'tool')
      body.tool_choice = { type: customTools.has(choice.name) ? 'custom' : 'function', name: choice.name }
    else body.tool_choice = choice.type
  }
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls
  if (req.output) {
    const o = req.output
    if (o.type === 'json_schema') {
      const format: JsonObject = { type: 'json_schema', name: o.name ?? 'response', schema: o.schema }
      if (o.strict !== undefined) format.strict = o.strict
      if (o.description !== undefined) format.description = o.description
      body.text = { format }
    } else body.text = { format: { type: o.type } }
  }
  if (req.maxOutputTokens !== undefined) body.max_output_tokens = req.maxOutputTokens
  if (req.temperature !== undefined) body.temperature = req.temperature
  if (req.topP !== undefined) body.top_p = req.topP
  if (req.reasoning) {
    body.reasoning = encodeReasoningSetting(req.reasoning)
    if (req.reasoning.enabled) body.include = ['reasoning.encrypted_content']
  }
  if (req.user !== undefined)
    body[req.paths.user === 'safety_identifier' ? 'safety_identifier' : 'user'] = req.user
  if (req.cacheKey !== undefined) body.prompt_cache_key = req.cacheKey
  body.store = false
  body.stream = req.stream
  return body
}
