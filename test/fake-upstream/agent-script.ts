/**
 * A scripted coding agent, for the coding-agent CLI tests (test/clients/): requests for a model whose name starts
 * with `agent-` (any endpoint that chats: Chat Completions, Responses, Messages, generateContent) are answered by
 * this script instead of the generic fake answers.
 *
 * The task is read from the prompt, written by `agentTaskPrompt(path, content)`. The agent answers:
 *   1. no tool result in the conversation yet: a short text and ONE call of the CLI's own file-writing or shell
 *      tool, found among the tools the request offers (Claude Code `Write`, Gemini CLI `write_file`, Codex
 *      `exec_command` / `shell` / `shell_command`), that creates the file;
 *   2. a tool result present: a final text starting with `AGENT_DONE_TEXT`;
 *   3. no task in the prompt (a CLI's side request, e.g. a title): a short text.
 * Each answer reports usage derived from the request, and is recorded per fake upstream (`agentCalls(url)`) with
 * the call id it issued and the tool result id it received, so a test can check ids crossed and what was billed.
 */
import { collectPromptText, countTextTokens, hashText } from './fake-content.ts'
import type { FakeRequest, Reply } from './fake-reply.ts'
import { type AgentDialect, agentCallId, type AgentUsage, encodeAgentTurn } from './agent-wire.ts'

export type { AgentDialect, AgentUsage } from './agent-wire.ts'

export const AGENT_MODEL_PREFIX = 'agent-'
export const AGENT_DONE_TEXT = 'AGENT DONE: the file is written.'

/** The prompt a test gives the CLI: create `path` (absolute) holding exactly `content` (no quotes, one line). */
export function agentTaskPrompt(path: string, content: string): string {
  if (/['"\n\\]/.test(content) || /['"\s\\]/.test(path))
    throw new Error('agent task: plain path and content only')
  return `Create the file ${path} containing exactly: ${content}`
}

const TASK = /Create the file (\/[^\s'"\\]+) containing exactly: ([^\n'"\\]+)/

export interface AgentCall {
  path: string
  dialect: AgentDialect
  model: string
  stream: boolean
  /** `tool`: the tool call was issued; `final`: the answer after the tool result; `other`: a side request. */
  kind: 'tool' | 'final' | 'other'
  /** The tool called (kind `tool`). */
  toolName?: string
  /** The id the provider gave the call (none for Gemini, as its API gives none). */
  callId?: string
  /** The call id of the tool result the request carried (kind `final`; Gemini: an id only if the client gave one). */
  resultId?: string
  /** Gemini: the function name of that tool result. */
  resultName?: string
  /** The tool result's text as received (kind `final`). */
  resultText?: string
  usage: AgentUsage
}

const calls = new Map<string, AgentCall[]>()

/** The scripted answers a fake upstream (its `url`) gave, oldest first. */
export function agentCalls(upstreamUrl: string): AgentCall[] {
  return calls.get(upstreamUrl) ?? []
}

const GEMINI_PATH = /^\/(?:v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/

type Json = Record<string, unknown>
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {}
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : [])
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

function dialectOf(req: FakeRequest): { dialect: AgentDialect; model: string | undefined } | undefined {
  const body = obj(req.body)
  if (req.path === '/v1/chat/completions') return { dialect: 'openai-chat', model: str(body.model) }
  if (req.path === '/v1/responses') return { dialect: 'openai-responses', model: str(body.model) }
  if (req.path === '/v1/messages') return { dialect: 'anthropic-messages', model: str(body.model) }
  const gemini = GEMINI_PATH.exec(req.path)
  if (gemini) return { dialect: 'gemini-generate', model: decodeURIComponent(gemini[1]) }
  return undefined
}

/** The names of the tools offered, in the dialect's shape (Responses namespaces included). */
function offeredTools(dialect: AgentDialect, body: Json): string[] {
  switch (dialect) {
    case 'openai-chat':
      return arr(body.tools).flatMap((t) => str(obj(t.function).name) ?? [])
    case 'openai-responses':
      return arr(body.tools).flatMap((t) =>
        [str(t.name) ?? [], ...arr(t.tools).map((n) => str(n.name) ?? [])].flat(),
      )
    case 'anthropic-messages':
      return arr(body.tools).flatMap((t) => str(t.name) ?? [])
    case 'gemini-generate':
      return arr(body.tools).flatMap((t) => arr(t.functionDeclarations).flatMap((d) => str(d.name) ?? []))
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null)
}

interface ToolResult {
  id?: string
  name?: string
  text: string
}

/** The last tool result of the conversation: its call id (Gemini: its name, and an id if given) and text. */
function lastToolResult(dialect: AgentDialect, body: Json): ToolResult | undefined {
  let found: ToolResult | undefined
  switch (dialect) {
    case 'openai-chat':
      for (const m of arr(body.messages))
        if (m.role === 'tool') found = { id: str(m.tool_call_id), text: text(m.content) }
      break
    case 'openai-responses':
      for (const item of arr(body.input))
        if (item.type === 'function_call_output') found = { id: str(item.call_id), text: text(item.output) }
      break
    case 'anthropic-messages':
      for (const m of arr(body.messages))
        for (const block of arr(m.content))
          if (block.type === 'tool_result') found = { id: str(block.tool_use_id), text: text(block.content) }
      break
    case 'gemini-generate':
      for (const c of arr(body.contents))
        for (const part of arr(c.parts)) {
          const r = obj(part.functionResponse)
          if (part.functionResponse !== undefined)
            found = { id: str(r.id), name: str(r.name), text: text(r.response) }
        }
      break
  }
  return found
}

/** The call that writes `content` to `path` with one of the offered tools, or undefined. */
function writingCall(
  tools: string[],
  path: string,
  content: string,
): { name: string; args: Record<string, unknown> } | undefined {
  const shell = `printf '%s' '${content}' > '${path}'`
  if (tools.includes('Write')) return { name: 'Write', args: { file_path: path, content } }
  if (tools.includes('write_file')) return { name: 'write_file', args: { file_path: path, content } }
  if (tools.includes('exec_command')) return { name: 'exec_command', args: { cmd: shell } }
  if (tools.includes('shell_command')) return { name: 'shell_command', args: { command: shell } }
  if (tools.includes('shell')) return { name: 'shell', args: { command: ['bash', '-lc', shell] } }
  return undefined
}

function wantsStream(req: FakeRequest, dialect: AgentDialect, body: Json): boolean {
  if (dialect === 'gemini-generate') return req.path.endsWith(':streamGenerateContent')
  return body.stream === true
}

/** The scripted answer when `req` is for an `agent-` model on a chatting endpoint; otherwise undefined. */
export function scriptedAgentReply(req: FakeRequest): Reply | undefined {
  if (req.method !== 'POST') return undefined
  const found = dialectOf(req)
  if (!found?.model?.startsWith(AGENT_MODEL_PREFIX)) return undefined
  const { dialect } = found
  const model = found.model
  const body = obj(req.body)
  const prompt = collectPromptText(body).join('\n')
  const seed = `${model}|${hashText(prompt)}|${prompt.length}`
  const task = TASK.exec(prompt)
  const result = lastToolResult(dialect, body)
  const tools = offeredTools(dialect, body)
  let answer: string
  let call: { name: string; args: Record<string, unknown> } | undefined
  let kind: AgentCall['kind']
  if (!task) {
    answer = 'OK.'
    kind = 'other'
  } else if (result) {
    answer = `${AGENT_DONE_TEXT} (${task[1]})`
    kind = 'final'
  } else {
    call = writingCall(tools, task[1], task[2])
    answer = call
      ? `I will create ${task[1]}.`
      : `No file-writing tool offered (tools: ${tools.join(', ') || 'none'}).`
    kind = call ? 'tool' : 'other'
  }
  const input = 1000 + countTextTokens(prompt)
  const cacheRead = Math.floor(input / 4)
  const usage: AgentUsage = {
    uncachedInput: input - cacheRead,
    cacheRead,
    output: countTextTokens(answer + (call ? call.name + JSON.stringify(call.args) : '')),
  }
  const stream = wantsStream(req, dialect, body)
  const record: AgentCall = { path: req.path, dialect, model, stream, kind, usage }
  if (call) {
    record.toolName = call.name
    record.callId = agentCallId(dialect, seed)
  }
  if (kind === 'final' && result) {
    record.resultId = result.id
    record.resultName = result.name
    record.resultText = result.text
  }
  const list = calls.get(req.baseUrl) ?? []
  list.push(record)
  calls.set(req.baseUrl, list)
  const streamUsage = obj(body.stream_options).include_usage === true
  return encodeAgentTurn(dialect, { model, seed, text: answer, call, stream, streamUsage }, usage)
}
