import { looksLikeSse, parseSseText, tryJson } from './sse.ts'
import type { Loose } from './loose.ts'
import { str, type ParsedRequest } from './transcript-request.ts'

export { parseRequestBody, type Msg, type Part, type ParsedRequest } from './transcript-request.ts'

/**
 * Turns a stored audit record (request body + response body or reassembled stream) into a readable
 * conversation, for OpenAI Chat/Responses, Anthropic Messages and Gemini, streamed or not.
 */

export interface ToolCall {
  name: string
  input: string
  id?: string
}

export interface ParsedResponse {
  text: string
  reasoning: string
  toolCalls: ToolCall[]
  errors: string[]
  finishReason?: string
  usage?: Record<string, number>
  raw?: string
}

class Acc {
  text = ''
  reasoning = ''
  errors: string[] = []
  finishReason?: string
  usage?: Record<string, number>
  private tools = new Map<string, ToolCall>()

  tool(key: string, init?: Partial<ToolCall>): ToolCall {
    let t = this.tools.get(key)
    if (!t) {
      t = { name: '', input: '' }
      this.tools.set(key, t)
    }
    if (init?.name) t.name = init.name
    if (init?.id) t.id = init.id
    return t
  }

  setUsage(usage: unknown): void {
    if (!usage || typeof usage !== 'object') return
    const flat: Record<string, number> = { ...this.usage }
    for (const [k, v] of Object.entries(usage as Record<string, unknown>))
      if (typeof v === 'number') flat[k] = v
    this.usage = flat
  }

  result(): ParsedResponse {
    return {
      text: this.text,
      reasoning: this.reasoning,
      toolCalls: [...this.tools.values()],
      errors: this.errors,
      finishReason: this.finishReason,
      usage: this.usage,
    }
  }
}

function errorOf(e: unknown): string {
  if (typeof e === 'string') return e
  const o = e as Loose
  return str(o?.message ?? o?.error?.message ?? o)
}

function readEvent(acc: Acc, data: Loose, event?: string): void {
  if (!data || typeof data !== 'object') return
  if (event === 'error' || data.type === 'error' || data.error) {
    acc.errors.push(errorOf(data.error ?? data))
    return
  }
  // OpenAI chat chunk
  if (Array.isArray(data.choices)) {
    for (const c of data.choices as Loose[]) {
      const d = c?.delta ?? c?.message ?? {}
      if (typeof d.content === 'string') acc.text += d.content
      const r = d.reasoning_content ?? d.reasoning
      if (typeof r === 'string') acc.reasoning += r
      for (const tc of (d.tool_calls ?? []) as Loose[]) {
        const t = acc.tool(`oa${tc.index ?? tc.id ?? 0}`, { name: tc.function?.name, id: tc.id })
        if (typeof tc.function?.arguments === 'string') t.input += tc.function.arguments
      }
      if (typeof c?.text === 'string') acc.text += c.text
      if (c?.finish_reason) acc.finishReason = c.finish_reason
    }
    if (data.usage) acc.setUsage(data.usage)
    return
  }
  // Gemini chunk
  if (Array.isArray(data.candidates) || data.usageMetadata) {
    const c = data.candidates?.[0]
    for (const p of (c?.content?.parts ?? []) as Loose[]) {
      if (typeof p?.text === 'string') {
        if (p.thought) acc.reasoning += p.text
        else acc.text += p.text
      } else if (p?.functionCall) {
        const t = acc.tool(`g${acc.result().toolCalls.length}`, { name: p.functionCall.name })
        t.input = str(p.functionCall.args)
      }
    }
    if (c?.finishReason) acc.finishReason = c.finishReason
    if (data.usageMetadata) acc.setUsage(data.usageMetadata)
    return
  }
  const type: string = data.type ?? event ?? ''
  // Anthropic stream events
  switch (type) {
    case 'message_start':
      acc.setUsage(data.message?.usage)
      return
    case 'content_block_start': {
      const b = data.content_block ?? {}
      if (b.type === 'tool_use') acc.tool(`an${data.index}`, { name: b.name, id: b.id })
      else if (b.type === 'text' && b.text) acc.text += b.text
      else if (b.type === 'thinking' && b.thinking) acc.reasoning += b.thinking
      return
    }
    case 'content_block_delta': {
      const d = data.delta ?? {}
      if (d.type === 'text_delta') acc.text += str(d.text)
      else if (d.type === 'thinking_delta') acc.reasoning += str(d.thinking)
      else if (d.type === 'input_json_delta') acc.tool(`an${data.index}`).input += str(d.partial_json)
      return
    }
    case 'message_delta':
      if (data.delta?.stop_reason) acc.finishReason = data.delta.stop_reason
      acc.setUsage(data.usage)
      return
    default:
      break
  }
  // OpenAI Responses stream events
  if (type === 'response.output_text.delta') acc.text += str(data.delta)
  else if (type.startsWith('response.reasoning') && type.endsWith('.delta')) acc.reasoning += str(data.delta)
  else if (type === 'response.output_item.added' && data.item?.type === 'function_call')
    acc.tool(`r${data.output_index}`, { name: data.item.name, id: data.item.call_id })
  else if (type === 'response.function_call_arguments.delta')
    acc.tool(`r${data.output_index}`).input += str(data.delta)
  else if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
    acc.setUsage(data.response?.usage)
    if (data.response?.status && data.response.status !== 'completed')
      acc.finishReason = data.response.incomplete_details?.reason ?? data.response.status
    if (data.response?.error) acc.errors.push(errorOf(data.response.error))
  }
}

function readWhole(acc: Acc, body: Loose): void {
  if (Array.isArray(body)) {
    for (const x of body) readEvent(acc, x)
    return
  }
  if (body.error || body.type === 'error') {
    acc.errors.push(errorOf(body.error ?? body))
    return
  }
  if (Array.isArray(body.content)) {
    for (const b of body.content as Loose[]) {
      if (b?.type === 'text') acc.text += str(b.text)
      else if (b?.type === 'thinking') acc.reasoning += str(b.thinking)
      else if (b?.type === 'tool_use') {
        const t = acc.tool(`an${b.id}`, { name: b.name, id: b.id })
        t.input = str(b.input)
      }
    }
    acc.finishReason = body.stop_reason ?? undefined
    acc.setUsage(body.usage)
    return
  }
  if (Array.isArray(body.output)) {
    for (const item of body.output as Loose[]) {
      if (item?.type === 'message')
        for (const c of (item.content ?? []) as Loose[]) acc.text += str(c?.text ?? c?.refusal)
      else if (item?.type === 'reasoning')
        for (const s of (item.summary ?? []) as Loose[]) acc.reasoning += str(s?.text)
      else if (item?.type === 'function_call') {
        const t = acc.tool(`r${item.call_id}`, { name: item.name, id: item.call_id })
        t.input = str(item.arguments)
      }
    }
    if (body.status && body.status !== 'completed')
      acc.finishReason = body.incomplete_details?.reason ?? body.status
    acc.setUsage(body.usage)
    return
  }
  readEvent(acc, body)
}

export function parseResponseBody(body: unknown): ParsedResponse {
  const acc = new Acc()
  if (body === undefined || body === null || body === '') return acc.result()
  if (typeof body === 'string') {
    if (looksLikeSse(body)) {
      for (const ev of parseSseText(body)) {
        if (ev.data === '[DONE]') continue
        const j = tryJson(ev.data)
        if (j !== undefined) readEvent(acc, j, ev.event)
      }
      return acc.result()
    }
    const j = tryJson(body)
    if (j === undefined) return { ...acc.result(), raw: body }
    readWhole(acc, j)
    return acc.result()
  }
  readWhole(acc, body)
  return acc.result()
}

export function responseWarnings(req: ParsedRequest, res: ParsedResponse): ('truncated' | 'reasoningOnly')[] {
  const out: ('truncated' | 'reasoningOnly')[] = []
  const fr = (res.finishReason ?? '').toLowerCase()
  if (fr === 'length' || fr === 'max_tokens' || fr === 'max_output_tokens') out.push('truncated')
  if (res.reasoning && !res.text && res.toolCalls.length === 0) out.push('reasoningOnly')
  void req
  return out
}

export interface RecordView {
  request: unknown
  response: unknown
  upstreamUrl?: string
  status?: number
  path?: string
  metadataOnly?: boolean
}

/** Tolerant access to an audit record: `request_body`/`response_body` (original) or nested `request`/`response`. */
export function recordView(record: unknown): RecordView {
  const r = (record ?? {}) as Loose
  const reqNode = r.request
  const resNode = r.response
  const nested = (node: Loose) =>
    node && typeof node === 'object' && !Array.isArray(node) && ('headers' in node || 'body' in node)
  const request = r.request_body ?? (nested(reqNode) ? reqNode.body : reqNode) ?? r.body
  const response =
    r.response_body ??
    r.stream ??
    (nested(resNode) || (resNode && typeof resNode === 'object' && 'sse_raw' in resNode)
      ? (resNode.sse_raw ?? resNode.body ?? resNode.stream ?? resNode.reassembled_text)
      : resNode)
  const status = r.response_status ?? r.status ?? (nested(resNode) ? resNode.status : undefined)
  const upstreamUrl = r.request_url ?? r.upstream_url ?? (nested(reqNode) ? reqNode.url : undefined)
  return {
    request,
    response,
    status: typeof status === 'number' ? status : undefined,
    upstreamUrl: typeof upstreamUrl === 'string' ? upstreamUrl : undefined,
    metadataOnly: r.kind === 'metadata',
    path: typeof r.path === 'string' ? r.path : typeof r.client_path === 'string' ? r.client_path : undefined,
  }
}
