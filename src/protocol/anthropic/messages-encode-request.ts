import type { RequestEncodeContext } from '../translate/dialect-codec.ts'
import type { IRequest, ITool, JsonObject } from '../translate/internal-model.ts'
import { refuseField, TranslationRefusal } from '../translate/translation-refusal.ts'
import { checkToolName } from './messages-encode-content.ts'
import { encodeMessages, isUnsignedToolLoop } from './messages-encode-messages.ts'
import { encodeThinking } from './messages-encode-thinking.ts'

/**
 * The internal request → an Anthropic Messages body for an Anthropic upstream (translation-map §1). Refused, never
 * clamped or dropped: temperature outside 0–1, seed, penalties, more than one candidate, non-object tool schemas.
 * Dropped on purpose: `cacheKey` (Anthropic caches by `cache_control`, which no other dialect carries), `detail` on
 * images, `includeUsage` (Anthropic streams always report usage).
 * Policies: JSON mode without a schema becomes `output_config.format` with the schema `{"type":"object"}`;
 * instructions of role developer join `system` like system ones; a request that continues another provider's
 * tool loop goes without thinking (see isUnsignedToolLoop).
 */

function encodeTool(tool: ITool): JsonObject {
  checkToolName(tool.name, `${tool.path}.name`)
  const schema = tool.parameters
  if (schema.type !== undefined && schema.type !== 'object') {
    throw new TranslationRefusal(
      tool.path,
      `${tool.path}: Anthropic needs an object schema for tool arguments`,
    )
  }
  return {
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    input_schema: schema.type === undefined ? { type: 'object', ...schema } : schema,
    ...(tool.strict ? { strict: true } : {}),
  }
}

function encodeToolChoice(req: IRequest): JsonObject | undefined {
  const choice = req.toolChoice
  let out: JsonObject
  if (!choice || choice.type === 'auto') out = { type: 'auto' }
  else if (choice.type === 'none') return { type: 'none' }
  else if (choice.type === 'required') out = { type: 'any' }
  else out = { type: 'tool', name: choice.name }
  if (req.parallelToolCalls !== undefined) out.disable_parallel_tool_use = !req.parallelToolCalls
  return choice || req.parallelToolCalls !== undefined ? out : undefined
}

function checkUnsupported(req: IRequest): void {
  const none = 'Anthropic has no such setting'
  if (req.seed !== undefined) refuseField(req.paths, 'seed', none)
  if (req.presencePenalty !== undefined) refuseField(req.paths, 'presencePenalty', none)
  if (req.frequencyPenalty !== undefined) refuseField(req.paths, 'frequencyPenalty', none)
  if (req.candidateCount !== undefined && req.candidateCount !== 1) {
    refuseField(req.paths, 'candidateCount', 'Anthropic answers with one candidate only')
  }
  if (req.temperature !== undefined && (req.temperature < 0 || req.temperature > 1)) {
    refuseField(req.paths, 'temperature', 'Anthropic accepts a temperature from 0 to 1')
  }
  if (req.topP !== undefined && (req.topP < 0 || req.topP > 1)) {
    refuseField(req.paths, 'topP', 'Anthropic accepts top_p from 0 to 1')
  }
  if (req.topK !== undefined && (!Number.isInteger(req.topK) || req.topK < 0)) {
    refuseField(req.paths, 'topK', 'Anthropic accepts a non-negative integer top_k')
  }
}

function maxTokensOf(req: IRequest, ctx: RequestEncodeContext): number {
  // Never a hard-coded 4096: the client's limit, else the model's maximum output (§8 #18).
  const max = req.maxOutputTokens ?? ctx.defaultMaxOutputTokens
  if (!Number.isInteger(max) || max < 1)
    refuseField(req.paths, 'maxOutputTokens', 'must be a positive integer')
  return max
}

export function encodeAnthropicRequest(req: IRequest, ctx: RequestEncodeContext): JsonObject {
  checkUnsupported(req)
  const maxTokens = maxTokensOf(req, ctx)
  const turns = encodeMessages(req.messages)
  const body: JsonObject = { model: ctx.upstreamModel, max_tokens: maxTokens }
  const system = req.system.filter((s) => s.text !== '').map((s) => ({ type: 'text', text: s.text }))
  if (system.length > 0) body.system = system
  body.messages = turns.map((t) => ({ role: t.role, content: t.content }))
  if (req.stop !== undefined && req.stop.length > 0) body.stop_sequences = req.stop
  if (req.temperature !== undefined) body.temperature = req.temperature
  if (req.topP !== undefined) body.top_p = req.topP
  if (req.topK !== undefined) body.top_k = req.topK
  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools.map(encodeTool)
    const choice = encodeToolChoice(req)
    if (choice) body.tool_choice = choice
  } else if (req.toolChoice?.type === 'required' || req.toolChoice?.type === 'tool') {
    refuseField(req.paths, 'toolChoice', 'a tool is required but no tool is given')
  }
  if (req.output?.type === 'json_schema') {
    body.output_config = { format: { type: 'json_schema', schema: req.output.schema } }
  } else if (req.output?.type === 'json_object') {
    body.output_config = { format: { type: 'json_schema', schema: { type: 'object' } } }
  }
  encodeThinking(req, maxTokens, body, !isUnsignedToolLoop(turns))
  if (req.user !== undefined) body.metadata = { user_id: req.user }
  if (req.stream) body.stream = true
  return body
}
