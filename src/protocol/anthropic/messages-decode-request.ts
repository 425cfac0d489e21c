import type {
  IMessage,
  IOutputFormat,
  IReasoning,
  IRequest,
  ISystemText,
  ITool,
  IToolChoice,
  Json,
  JsonObject,
} from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'
import { decodeContent } from './messages-decode-content.ts'
import {
  expectArray,
  expectObject,
  expectString,
  isJsonObject,
  maybeBoolean,
  maybeNumber,
  maybeString,
  refuseOtherKeys,
} from './messages-read-json.ts'

/**
 * An Anthropic Messages request body → the internal request (translation-map §1). Every field is placed or
 * refused naming it, except these, dropped on purpose as hints that change nothing another provider could honour:
 * - `cache_control` on system blocks, tools and content blocks (prompt-cache breakpoints);
 * - `citations` on text blocks and documents (no common shape across providers);
 * - `service_tier` (Anthropic's capacity tier);
 * - `metadata` keys other than `user_id` (the API defines none).
 * - `context_management` whose edits only clear old thinking blocks (`clear_thinking_*`, Claude Code's default):
 *   another provider never receives Anthropic thinking, so there is nothing to clear (other edits are refused);
 * - `thinking.display` (whether Anthropic shows its thinking text; another provider's is shown as it comes);
 * - tools with `defer_loading: true` (loaded only by Anthropic's server-side tool search, never shown to the
 *   model up front, so another provider's model would not see them either);
 * - `output_config` on a `role:"system"` message (a per-turn effort hint; the request's effort stands).
 * Policies: a `role:"system"` message inside `messages` (Claude Code sends one) joins the system instructions in
 * order; `output_config.effort` `max` is read as the internal `xhigh` (the highest effort other providers name).
 * docs/translation.md lists these.
 */

const TOP_KEYS = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'output_format',
  'service_tier',
  'context_management',
  'container',
  'mcp_servers',
])
/** Anthropic-side state or server features: no other provider has them, so they are refused when present. */
const ANTHROPIC_ONLY = ['container', 'mcp_servers'] as const
const TOOL_KEYS = new Set([
  'type',
  'name',
  'description',
  'input_schema',
  'strict',
  'cache_control',
  'defer_loading',
])
const EFFORTS: Readonly<Record<string, NonNullable<IReasoning['effort']>>> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
  max: 'xhigh',
}

type Paths = IRequest['paths']

function isPresent(v: Json | undefined): boolean {
  if (v === undefined || v === null) return false
  if (Array.isArray(v)) return v.length > 0
  if (isJsonObject(v)) return Object.keys(v).length > 0
  return true
}

function decodeSystem(raw: Json | undefined): ISystemText[] {
  if (raw === undefined || raw === null) return []
  if (typeof raw === 'string') return [{ role: 'system', text: raw, path: 'system' }]
  return expectArray(raw, 'system').map((item, i) => {
    const path = `system[${i}]`
    const block = expectObject(item, path)
    if (block.type !== 'text') {
      throw new TranslationRefusal(`${path}.type`, `${path}.type: only text system blocks can be translated`)
    }
    refuseOtherKeys(block, new Set(['type', 'text', 'cache_control', 'citations']), path)
    return { role: 'system' as const, text: expectString(block.text, `${path}.text`), path }
  })
}

function decodeMessages(raw: Json | undefined, system: ISystemText[]): IMessage[] {
  const messages: IMessage[] = []
  expectArray(raw, 'messages').forEach((item, i) => {
    const path = `messages[${i}]`
    const msg = expectObject(item, path)
    const role = msg.role
    refuseOtherKeys(msg, role === 'system' ? SYSTEM_MESSAGE_KEYS : MESSAGE_KEYS, path)
    if (role === 'system') {
      // Claude Code can put a system message among the turns; the internal model keeps instructions apart.
      for (const part of decodeContent(msg.content, `${path}.content`)) {
        if (part.type !== 'text') {
          throw new TranslationRefusal(part.path, `${part.path}: a system message can only hold text`)
        }
        system.push({ role: 'system', text: part.text, path: part.path })
      }
      return
    }
    if (role !== 'user' && role !== 'assistant') {
      throw new TranslationRefusal(`${path}.role`, `${path}.role: must be user or assistant`)
    }
    messages.push({ role, parts: decodeContent(msg.content, `${path}.content`), path })
  })
  return messages
}

const MESSAGE_KEYS = new Set(['role', 'content'])
const SYSTEM_MESSAGE_KEYS = new Set(['role', 'content', 'output_config'])

/** `context_management` whose every edit clears old thinking: nothing to do once thinking stays at Anthropic. */
function refuseContextManagement(raw: Json | undefined): void {
  if (!isPresent(raw)) return
  const config = expectObject(raw, 'context_management')
  refuseOtherKeys(config, new Set(['edits']), 'context_management')
  expectArray(config.edits ?? [], 'context_management.edits').forEach((item, i) => {
    const path = `context_management.edits[${i}]`
    const edit = expectObject(item, path)
    if (typeof edit.type !== 'string' || !edit.type.startsWith('clear_thinking')) {
      throw new TranslationRefusal(
        `${path}.type`,
        `${path}.type: this context edit runs inside Anthropic and is not available on another provider`,
      )
    }
  })
}

function decodeTools(raw: Json | undefined): ITool[] {
  const tools: ITool[] = []
  expectArray(raw, 'tools').forEach((item, i) => {
    const path = `tools[${i}]`
    const tool = expectObject(item, path)
    if (tool.defer_loading === true) return
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      // Server tools (web_search_20250305, code_execution_…, bash_…, text_editor_…) run inside Anthropic.
      throw new TranslationRefusal(
        path,
        `${path}: the Anthropic server tool ${JSON.stringify(tool.type)} cannot be used with another provider`,
      )
    }
    refuseOtherKeys(tool, TOOL_KEYS, path)
    const description = maybeString(tool.description, `${path}.description`)
    const strict = maybeBoolean(tool.strict, `${path}.strict`)
    tools.push({
      name: expectString(tool.name, `${path}.name`),
      ...(description !== undefined ? { description } : {}),
      parameters: expectObject(tool.input_schema, `${path}.input_schema`),
      ...(strict !== undefined ? { strict } : {}),
      path,
    })
  })
  return tools
}

function decodeToolChoice(raw: Json | undefined, req: IRequest): void {
  const choice = expectObject(raw, 'tool_choice')
  refuseOtherKeys(choice, new Set(['type', 'name', 'disable_parallel_tool_use']), 'tool_choice')
  let decoded: IToolChoice
  switch (typeof choice.type === 'string' ? choice.type : '') {
    case 'auto':
      decoded = { type: 'auto' }
      break
    case 'none':
      decoded = { type: 'none' }
      break
    case 'any':
      decoded = { type: 'required' }
      break
    case 'tool':
      decoded = { type: 'tool', name: expectString(choice.name, 'tool_choice.name') }
      break
    default:
      throw new TranslationRefusal('tool_choice.type', 'tool_choice.type: must be auto, any, tool or none')
  }
  req.toolChoice = decoded
  req.paths.toolChoice = 'tool_choice'
  const disable = maybeBoolean(choice.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use')
  if (disable !== undefined) {
    req.parallelToolCalls = !disable
    req.paths.parallelToolCalls = 'tool_choice.disable_parallel_tool_use'
  }
}

function decodeThinking(raw: Json | undefined): IReasoning {
  const thinking = expectObject(raw, 'thinking')
  switch (typeof thinking.type === 'string' ? thinking.type : '') {
    case 'enabled': {
      refuseOtherKeys(thinking, new Set(['type', 'budget_tokens', 'display']), 'thinking')
      const budget = maybeNumber(thinking.budget_tokens, 'thinking.budget_tokens')
      return { enabled: true, ...(budget !== undefined ? { budgetTokens: budget } : {}) }
    }
    case 'disabled':
      refuseOtherKeys(thinking, new Set(['type']), 'thinking')
      return { enabled: false }
    case 'adaptive':
      refuseOtherKeys(thinking, new Set(['type', 'display']), 'thinking')
      return { enabled: true, adaptive: true }
    default:
      throw new TranslationRefusal('thinking.type', 'thinking.type: must be enabled, disabled or adaptive')
  }
}

function decodeFormat(raw: Json | undefined, path: string): IOutputFormat {
  const format = expectObject(raw, path)
  if (format.type !== 'json_schema') {
    throw new TranslationRefusal(`${path}.type`, `${path}.type: only json_schema can be translated`)
  }
  refuseOtherKeys(format, new Set(['type', 'schema']), path)
  return { type: 'json_schema', schema: expectObject(format.schema, `${path}.schema`) }
}

/** `output_config` (effort and format) and the older beta `output_format`. */
function decodeOutputConfig(json: JsonObject, req: IRequest): void {
  if (json.output_format !== undefined && json.output_format !== null) {
    req.output = decodeFormat(json.output_format, 'output_format')
    req.paths.output = 'output_format'
  }
  if (json.output_config === undefined || json.output_config === null) return
  const config = expectObject(json.output_config, 'output_config')
  refuseOtherKeys(config, new Set(['effort', 'format']), 'output_config')
  if (config.format !== undefined && config.format !== null) {
    req.output = decodeFormat(config.format, 'output_config.format')
    req.paths.output = 'output_config.format'
  }
  const effort = maybeString(config.effort, 'output_config.effort')
  if (effort === undefined) return
  const mapped = EFFORTS[effort]
  if (!mapped) {
    throw new TranslationRefusal(
      'output_config.effort',
      `output_config.effort: unknown effort ${JSON.stringify(effort)}`,
    )
  }
  // Effort without `thinking` leaves thinking off (it then only tunes how much the model writes).
  req.reasoning = { ...(req.reasoning ?? { enabled: false }), effort: mapped }
  req.paths.reasoning ??= 'output_config.effort'
}

function decodeMetadata(raw: Json | undefined, req: IRequest): void {
  const metadata = expectObject(raw, 'metadata')
  const user = maybeString(metadata.user_id, 'metadata.user_id')
  if (user !== undefined) {
    req.user = user
    req.paths.user = 'metadata.user_id'
  }
}

export function decodeAnthropicRequest(json: JsonObject): IRequest {
  refuseOtherKeys(json, TOP_KEYS, '')
  refuseContextManagement(json.context_management)
  for (const key of ANTHROPIC_ONLY) {
    if (isPresent(json[key])) {
      throw new TranslationRefusal(
        key,
        `${key}: an Anthropic-only feature, not available on another provider`,
      )
    }
  }
  const system = decodeSystem(json.system)
  const paths: Paths = {}
  const req: IRequest = {
    model: expectString(json.model, 'model'),
    system,
    messages: decodeMessages(json.messages, system),
    stream: maybeBoolean(json.stream, 'stream') ?? false,
    paths,
  }
  const numbers = [
    ['max_tokens', 'maxOutputTokens'],
    ['temperature', 'temperature'],
    ['top_p', 'topP'],
    ['top_k', 'topK'],
  ] as const
  for (const [field, key] of numbers) {
    const n = maybeNumber(json[field], field)
    if (n === undefined) continue
    req[key] = n
    paths[key] = field
  }
  if (json.stop_sequences !== undefined && json.stop_sequences !== null) {
    req.stop = expectArray(json.stop_sequences, 'stop_sequences').map((s, i) =>
      expectString(s, `stop_sequences[${i}]`),
    )
    paths.stop = 'stop_sequences'
  }
  if (json.tools !== undefined && json.tools !== null) {
    req.tools = decodeTools(json.tools)
    paths.tools = 'tools'
  }
  if (json.tool_choice !== undefined && json.tool_choice !== null) decodeToolChoice(json.tool_choice, req)
  if (json.thinking !== undefined && json.thinking !== null) {
    req.reasoning = decodeThinking(json.thinking)
    paths.reasoning = 'thinking'
  }
  decodeOutputConfig(json, req)
  if (json.metadata !== undefined && json.metadata !== null) decodeMetadata(json.metadata, req)
  return req
}
