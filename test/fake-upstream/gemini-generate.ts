import {
  collectPromptText,
  computePromptUsage,
  FAKE_REASONING_TOKENS,
  FAKE_THINKING_TEXT,
  fakeEmbedding,
  fakeId,
  type FakePromptUsage,
  planText,
  readMaxTokens,
  countTextTokens,
} from './fake-content.ts'
import {
  answerText,
  callArguments,
  pickCalls,
  type RequestFeatures,
  seenBase64Image,
  type SeenImage,
  seenImageUrl,
  type SeenOutput,
  type SeenToolResult,
  wantsParallelCalls,
} from './fake-features.ts'
import {
  type BodyReply,
  bodyObject,
  echoText,
  type FakeRequest,
  jsonReply,
  type Reply,
} from './fake-reply.ts'
import { checkGenerateHistory } from './check-history.ts'
import { providerErrorReply, STREAM_ERROR_FRAMES } from './provider-errors.ts'

interface FunctionDeclaration {
  name: string
  parameters: unknown
}

type Part = Record<string, unknown>

function contentsOf(body: Record<string, unknown>): Array<{ role?: unknown; parts?: unknown }> {
  return Array.isArray(body.contents) ? (body.contents as Array<{ role?: unknown; parts?: unknown }>) : []
}

function partsOf(content: { parts?: unknown } | undefined): Part[] {
  return Array.isArray(content?.parts) ? (content.parts as Part[]) : []
}

/** The functions called (see fake-features.ts): none when tools are off or the last turn holds function responses. */
function pickFunctions(body: Record<string, unknown>, promptText: string): FunctionDeclaration[] {
  const tools = Array.isArray(body.tools) ? (body.tools as Array<{ functionDeclarations?: unknown }>) : []
  const declarations = tools
    .flatMap((t) => (Array.isArray(t?.functionDeclarations) ? (t.functionDeclarations as Part[]) : []))
    .filter((d) => typeof d?.name === 'string')
  const config = (
    body.toolConfig as { functionCallingConfig?: { mode?: unknown; allowedFunctionNames?: unknown } }
  )?.functionCallingConfig
  if (declarations.length === 0 || config?.mode === 'NONE') return []
  if (partsOf(contentsOf(body).at(-1)).some((p) => p?.functionResponse)) return []
  const allowed = Array.isArray(config?.allowedFunctionNames) ? config.allowedFunctionNames : []
  const forced = allowed.length === 1 ? declarations.find((d) => d.name === allowed[0]) : undefined
  return pickCalls(declarations, forced, wantsParallelCalls(promptText)).map((fn) => ({
    name: fn.name as string,
    parameters: fn.parameters ?? fn.parametersJsonSchema,
  }))
}

/** The last turn's functionResponse parts, inline/file images and the JSON output asked for. */
export function readGenerateFeatures(body: Record<string, unknown>): RequestFeatures {
  const contents = contentsOf(body)
  const toolResults: SeenToolResult[] = partsOf(contents.at(-1))
    .filter((p) => p?.functionResponse)
    .map((p) => {
      const r = p.functionResponse as { id?: unknown; name?: unknown; response?: unknown }
      return {
        id: typeof r.id === 'string' ? r.id : undefined,
        name: String(r.name),
        content: JSON.stringify(r.response ?? null),
      }
    })
  const images: SeenImage[] = []
  for (const c of contents)
    for (const p of partsOf(c)) {
      const inline = p?.inlineData as { mimeType?: unknown; data?: unknown } | undefined
      const file = p?.fileData as { fileUri?: unknown } | undefined
      if (inline) images.push(seenBase64Image(String(inline.mimeType), String(inline.data)))
      else if (file) images.push(seenImageUrl(String(file.fileUri)))
    }
  const config = (body.generationConfig ?? {}) as Record<string, unknown>
  const schema = config.responseJsonSchema ?? config.responseSchema
  const output: SeenOutput | undefined =
    config.responseMimeType !== 'application/json'
      ? undefined
      : schema !== undefined
        ? { kind: 'json_schema', schema }
        : { kind: 'json_object' }
  return { toolResults, images, output }
}

/**
 * Gemini 3 style (a `gemini-3…` model or the `gemini-call-ids` scenario): function calls carry an `id` and the
 * first call of a turn a `thoughtSignature`, which the next request must send back on that part.
 */
function usesCallIds(req: FakeRequest, model: string): boolean {
  return model.startsWith('gemini-3') || req.scenario?.name === 'gemini-call-ids'
}

function promptOf(body: Record<string, unknown>): { text: string; usage: FakePromptUsage } {
  const text = collectPromptText({ systemInstruction: body.systemInstruction, contents: body.contents }).join(
    '\n',
  )
  return { text, usage: computePromptUsage(text) }
}

function usageMetadata(
  prompt: FakePromptUsage,
  candidates: number | undefined,
  thoughts: number,
): Record<string, unknown> {
  const meta: Record<string, unknown> = { promptTokenCount: prompt.promptTokens }
  if (candidates !== undefined) meta.candidatesTokenCount = candidates
  meta.totalTokenCount = prompt.promptTokens + (candidates ?? 0) + thoughts
  meta.cachedContentTokenCount = prompt.cachedTokens
  meta.promptTokensDetails = [{ modality: 'TEXT', tokenCount: prompt.promptTokens }]
  meta.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: prompt.cachedTokens }]
  if (thoughts > 0) meta.thoughtsTokenCount = thoughts
  return meta
}

/** `…:generateContent` and `…:streamGenerateContent` (`alt=sse`: CRLF-framed SSE; otherwise a JSON array). */
export function handleGenerateContent(req: FakeRequest, model: string, stream: boolean): Reply {
  const body = bodyObject(req)
  const prompt = promptOf(body)
  const responseId = fakeId('', `${model}|${prompt.text}`, 23)
  const config = (body.generationConfig ?? {}) as {
    maxOutputTokens?: unknown
    thinkingConfig?: Record<string, unknown>
  }
  const includeThoughts = config.thinkingConfig?.includeThoughts === true
  const thoughtsBudget = config.thinkingConfig?.thinkingBudget === 0 ? 0 : FAKE_REASONING_TOKENS
  const plan = planText(
    echoText(req) ?? answerText(model, readGenerateFeatures(body)),
    thoughtsBudget,
    readMaxTokens(config.maxOutputTokens),
  )
  const callIds = usesCallIds(req, model)
  const historyError = checkGenerateHistory(body, callIds)
  if (historyError) return providerErrorReply('gemini', 400, { message: historyError })
  const fns = plan.truncated ? [] : pickFunctions(body, prompt.text)
  const callParts = fns.map((fn, i) => {
    const call: Record<string, unknown> = callIds ? { id: fakeId('fc-', `${responseId}|${i}`, 16) } : {}
    call.name = fn.name
    call.args = callArguments(fn.parameters, i)
    const part: Record<string, unknown> = { functionCall: call }
    if (callIds && i === 0) part.thoughtSignature = 'CsMBAb' + fakeId('', responseId, 40)
    return part
  })
  const fn = callParts.length > 0
  const candidatesTokens = fn
    ? fns.reduce(
        (sum, f, i) => sum + countTextTokens(f.name + JSON.stringify(callArguments(f.parameters, i))),
        0,
      )
    : plan.outputTokens
  const thoughts = plan.reasoningTokens
  const finishReason = plan.truncated ? 'MAX_TOKENS' : 'STOP'
  const noUsage = req.scenario?.name === 'no-usage'
  const chunk = (parts: unknown[], finish: string | undefined, usage: Record<string, unknown>) => {
    const candidate: Record<string, unknown> = { content: { parts, role: 'model' } }
    if (finish) candidate.finishReason = finish
    candidate.index = 0
    const out: Record<string, unknown> = { candidates: [candidate] }
    if (!noUsage) out.usageMetadata = usage
    out.modelVersion = model
    out.responseId = responseId
    return out
  }
  const thoughtPart = { text: FAKE_THINKING_TEXT, thought: true }

  if (!stream) {
    const parts: unknown[] = includeThoughts && thoughts > 0 ? [thoughtPart] : []
    if (fn) parts.push(...callParts)
    else parts.push({ text: plan.text })
    return jsonReply(200, chunk(parts, finishReason, usageMetadata(prompt.usage, candidatesTokens, thoughts)))
  }

  const chunks: unknown[] = []
  if (includeThoughts && thoughts > 0)
    chunks.push(chunk([thoughtPart], undefined, usageMetadata(prompt.usage, undefined, thoughts)))
  if (fn) {
    chunks.push(chunk(callParts, finishReason, usageMetadata(prompt.usage, candidatesTokens, thoughts)))
  } else {
    // Two deltas per chunk; usageMetadata is a running total on every chunk.
    for (let i = 0; i < plan.deltas.length; i += 2) {
      const last = i + 2 >= plan.deltas.length
      const text = plan.deltas.slice(i, i + 2).join('')
      const sofar = Math.min(plan.deltas.length, i + 2)
      chunks.push(
        chunk([{ text }], last ? finishReason : undefined, usageMetadata(prompt.usage, sofar, thoughts)),
      )
    }
  }
  if (req.query.get('alt') === 'sse') {
    return {
      kind: 'stream',
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
      frames: chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`),
      errorFrame: STREAM_ERROR_FRAMES.gemini,
      badFrame: 'data: {"candidates": [{"content": {"parts": [{"text": "tru\r\n\r\n',
    }
  }
  const frames = chunks.map((c, i) => (i === 0 ? '[' : ',\r\n') + JSON.stringify(c))
  frames[frames.length - 1] += ']'
  return {
    kind: 'stream',
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    frames,
    errorFrame: ',\r\n' + STREAM_ERROR_FRAMES.gemini.slice('data: '.length).trimEnd() + ']',
    badFrame: ',\r\n{"candidates": [tru',
  }
}

/** `…:countTokens` (accepts `contents` or a wrapped `generateContentRequest`). */
export function handleCountTokens(req: FakeRequest): BodyReply {
  const body = bodyObject(req)
  const inner = (body.generateContentRequest ?? body) as Record<string, unknown>
  const { usage } = promptOf(inner)
  return jsonReply(200, {
    totalTokens: usage.promptTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.promptTokens }],
  })
}

function embed(request: Record<string, unknown>): { values: number[] } {
  const text = collectPromptText({ content: request.content }).join('\n')
  const dims = request.outputDimensionality
  return { values: fakeEmbedding(text, typeof dims === 'number' && dims > 0 ? Math.min(3072, dims) : 16) }
}

/** `…:embedContent` and `…:batchEmbedContents` (the GenAI SDK's `embedContent()` calls the batch one). */
export function handleEmbed(req: FakeRequest, batch: boolean): BodyReply {
  const body = bodyObject(req)
  if (!batch) return jsonReply(200, { embedding: embed(body) })
  if (!Array.isArray(body.requests))
    return providerErrorReply('gemini', 400, { message: 'requests is required' })
  return jsonReply(200, { embeddings: (body.requests as Array<Record<string, unknown>>).map(embed) })
}

export const GEMINI_MODELS = [
  'gemini-2.5-pro',
  'gemini-2.5-flash',
  'gemini-2.5-flash-lite',
  'gemini-embedding-001',
]

function describeModel(id: string): Record<string, unknown> {
  const embedding = id.includes('embedding')
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    description: `Fake ${id}`,
    inputTokenLimit: embedding ? 2048 : 1048576,
    outputTokenLimit: embedding ? 1 : 65536,
    supportedGenerationMethods: embedding
      ? ['embedContent', 'countTextTokens', 'countTokens']
      : ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'],
    ...(embedding ? {} : { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: true }),
  }
}

/** `GET /v1beta/models` and `GET /v1beta/models/{model}`. */
export function handleGeminiModels(_req: FakeRequest, model: string | undefined): BodyReply {
  if (model !== undefined) return jsonReply(200, describeModel(model))
  return jsonReply(200, { models: GEMINI_MODELS.map(describeModel) })
}
