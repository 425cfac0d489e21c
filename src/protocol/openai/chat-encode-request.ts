import type { RequestEncodeContext } from '../translate/dialect-codec.ts'
import type {
  IOutputFormat,
  IReasoning,
  IRequest,
  IToolChoice,
  JsonObject,
} from '../translate/internal-model.ts'
import { refuseField, TranslationRefusal } from '../translate/translation-refusal.ts'
import { encodeChatMessages } from './chat-encode-messages.ts'

/** OpenAI's function names (translation map §1.3); Gemini also allows `.` and `:`, which are refused here. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/
/** Chat takes at most four stop sequences. */
const MAX_STOP = 4
/** OpenAI refuses longer `user` / `safety_identifier` values; a longer one (e.g. Claude Code's) is not sent. */
const MAX_USER = 64

/**
 * A token budget (Anthropic `budget_tokens`, Gemini `thinkingBudget`) as a chat effort. There is no official table
 * (translation map §1.6); this one is the gateway's: up to 2048 low, up to 16384 medium, above high.
 */
export function effortForBudget(budget: number): 'low' | 'medium' | 'high' {
  if (budget <= 2048) return 'low'
  if (budget <= 16384) return 'medium'
  return 'high'
}

/**
 * IReasoning → `reasoning_effort`, or undefined for the model's default. An effort is sent as given; a budget through
 * the table above; dynamic thinking (-1, adaptive) is the default. Thinking turned off without an effort (Anthropic
 * `disabled`, Gemini budget 0) sends nothing: `none` is refused by models that do not reason, and those that do
 * cannot all turn it off. A summary has no chat equivalent (chat returns no reasoning text, §8 #24).
 */
function encodeReasoning(r: IReasoning): string | undefined {
  if (r.effort !== undefined) return r.effort
  if (!r.enabled || r.adaptive || r.budgetTokens === undefined || r.budgetTokens < 0) return undefined
  return effortForBudget(r.budgetTokens)
}

function encodeToolChoice(choice: IToolChoice): JsonObject | string {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type
}

function encodeOutput(output: IOutputFormat): JsonObject {
  if (output.type !== 'json_schema') return { type: output.type }
  const spec: JsonObject = { name: output.name ?? 'response', schema: output.schema }
  if (output.description !== undefined) spec.description = output.description
  if (output.strict !== undefined) spec.strict = output.strict
  return { type: 'json_schema', json_schema: spec }
}

/** Refuses a number outside [min, max] naming the client's field; never clamps (silent loss). */
function inRange(
  req: IRequest,
  field: 'temperature' | 'topP' | 'presencePenalty' | 'frequencyPenalty',
  min: number,
  max: number,
): number | undefined {
  const v = req[field]
  if (v !== undefined && (v < min || v > max))
    refuseField(req.paths, field, `must be between ${min} and ${max} for OpenAI`)
  return v
}

/** Sets `out[key]` when the value is defined. */
function put(out: JsonObject, key: string, v: JsonObject[string] | undefined): void {
  if (v !== undefined) out[key] = v
}

/**
 * IRequest → a Chat Completions body for the channel's model (translation map §1). What chat cannot express is
 * refused naming the client's field: top-k, more than one answer, more than four stop sequences, out-of-range
 * sampling values, tool names OpenAI rejects, a final assistant prefill, non-text tool results. A stream always asks
 * for the usage chunk (billing needs it; the client's own choice is applied by the stream encoder).
 */
export function encodeChatRequest(req: IRequest, ctx: RequestEncodeContext): JsonObject {
  const out: JsonObject = { model: ctx.upstreamModel, messages: encodeChatMessages(req.system, req.messages) }
  if (req.tools !== undefined && req.tools.length > 0) {
    out.tools = req.tools.map((t) => {
      if (!TOOL_NAME.test(t.name))
        throw new TranslationRefusal(t.path, `${t.path}: tool name "${t.name}" is not valid at OpenAI`)
      const fn: JsonObject = { name: t.name }
      put(fn, 'description', t.description)
      fn.parameters = t.parameters
      put(fn, 'strict', t.strict)
      return { type: 'function', function: fn }
    })
    put(out, 'parallel_tool_calls', req.parallelToolCalls)
  }
  if (req.toolChoice !== undefined) out.tool_choice = encodeToolChoice(req.toolChoice)
  if (req.output !== undefined) out.response_format = encodeOutput(req.output)
  if (req.maxOutputTokens !== undefined) {
    if (!Number.isInteger(req.maxOutputTokens) || req.maxOutputTokens < 1) {
      refuseField(req.paths, 'maxOutputTokens', 'must be a positive integer')
    }
    out.max_completion_tokens = req.maxOutputTokens
  }
  put(out, 'temperature', inRange(req, 'temperature', 0, 2))
  put(out, 'top_p', inRange(req, 'topP', 0, 1))
  if (req.topK !== undefined) refuseField(req.paths, 'topK', 'OpenAI has no top-k sampling')
  if (req.stop !== undefined && req.stop.length > 0) {
    if (req.stop.length > MAX_STOP)
      refuseField(req.paths, 'stop', `OpenAI takes at most ${MAX_STOP} stop sequences`)
    out.stop = req.stop
  }
  put(out, 'seed', req.seed)
  put(out, 'presence_penalty', inRange(req, 'presencePenalty', -2, 2))
  put(out, 'frequency_penalty', inRange(req, 'frequencyPenalty', -2, 2))
  if (req.candidateCount !== undefined) {
    if (req.candidateCount !== 1)
      refuseField(req.paths, 'candidateCount', 'only one answer can be translated')
    out.n = 1
  }
  if (req.reasoning !== undefined) put(out, 'reasoning_effort', encodeReasoning(req.reasoning))
  out.stream = req.stream
  if (req.stream) out.stream_options = { include_usage: true }
  if (req.user !== undefined && req.user.length <= MAX_USER) {
    out[req.paths.user === 'safety_identifier' ? 'safety_identifier' : 'user'] = req.user
  }
  put(out, 'prompt_cache_key', req.cacheKey)
  return out
}
