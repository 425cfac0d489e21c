import { tryJson } from './sse.ts'
import type { Loose } from './loose.ts'
import type { ProtocolId } from '../../../src/protocol/protocol-adapter.ts'

/** Request side of a stored call: the conversation sent, for OpenAI Chat/Responses, Anthropic and Gemini. */

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'thinking'; text: string }
  | { kind: 'tool_call'; name: string; input: string; id?: string }
  | { kind: 'tool_result'; id?: string; content: string }
  | { kind: 'image'; note: string }

export interface Msg {
  role: string
  parts: Part[]
}

export interface ParsedRequest {
  kind: ProtocolId | 'responses' | 'unknown'
  model?: string
  messages: Msg[]
  maxTokens?: number
  stream?: boolean
}

export const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v, null, 2)

export function asObject(body: unknown): Loose {
  if (typeof body === 'string') return tryJson(body)
  return body
}

function blockParts(content: unknown): Part[] {
  if (typeof content === 'string') return content ? [{ kind: 'text', text: content }] : []
  if (!Array.isArray(content))
    return content === undefined || content === null ? [] : [{ kind: 'text', text: str(content) }]
  const out: Part[] = []
  for (const b of content as Loose[]) {
    if (typeof b === 'string') {
      out.push({ kind: 'text', text: b })
      continue
    }
    switch (b?.type) {
      case 'text':
      case 'input_text':
      case 'output_text':
        out.push({ kind: 'text', text: str(b.text) })
        break
      case 'thinking':
        out.push({ kind: 'thinking', text: str(b.thinking ?? b.text) })
        break
      case 'redacted_thinking':
        out.push({ kind: 'thinking', text: '[redacted]' })
        break
      case 'tool_use':
        out.push({ kind: 'tool_call', name: str(b.name), input: str(b.input), id: b.id })
        break
      case 'tool_result':
        out.push({
          kind: 'tool_result',
          id: b.tool_use_id,
          content: blockParts(b.content).map(partText).join('\n') || str(b.content),
        })
        break
      case 'image':
      case 'image_url':
      case 'input_image':
        out.push({
          kind: 'image',
          note:
            typeof b.image_url === 'object'
              ? str(b.image_url?.url).slice(0, 80)
              : (b.source?.media_type ?? 'image'),
        })
        break
      default:
        if (b?.text !== undefined) out.push({ kind: 'text', text: str(b.text) })
        else out.push({ kind: 'text', text: str(b) })
    }
  }
  return out
}

function partText(part: Part): string {
  switch (part.kind) {
    case 'text':
    case 'thinking':
      return part.text
    case 'tool_call':
      return `${part.name}(${part.input})`
    case 'tool_result':
      return part.content
    case 'image':
      return `[image ${part.note}]`
  }
}

function chatMessage(message: Loose): Msg {
  const parts: Part[] = []
  if (typeof message?.reasoning_content === 'string' && message.reasoning_content)
    parts.push({ kind: 'thinking', text: message.reasoning_content })
  if (message?.role === 'tool') {
    parts.push({
      kind: 'tool_result',
      id: message.tool_call_id,
      content: blockParts(message.content).map(partText).join('\n'),
    })
  } else {
    parts.push(...blockParts(message?.content))
  }
  for (const tc of (message?.tool_calls ?? []) as Loose[]) {
    parts.push({
      kind: 'tool_call',
      name: str(tc?.function?.name),
      input: str(tc?.function?.arguments),
      id: tc?.id,
    })
  }
  return { role: str(message?.role) || 'user', parts }
}

function geminiParts(parts: Loose[] | undefined): Part[] {
  const out: Part[] = []
  for (const p of parts ?? []) {
    if (typeof p?.text === 'string') out.push({ kind: p.thought ? 'thinking' : 'text', text: p.text })
    else if (p?.functionCall)
      out.push({ kind: 'tool_call', name: str(p.functionCall.name), input: str(p.functionCall.args) })
    else if (p?.functionResponse)
      out.push({
        kind: 'tool_result',
        id: p.functionResponse.name,
        content: str(p.functionResponse.response),
      })
    else if (p?.inlineData || p?.fileData)
      out.push({ kind: 'image', note: str(p.inlineData?.mimeType ?? p.fileData?.mimeType) })
  }
  return out
}

export function parseRequestBody(body: unknown): ParsedRequest {
  const j = asObject(body)
  if (!j || typeof j !== 'object') return { kind: 'unknown', messages: [] }
  const messages: Msg[] = []
  if (Array.isArray(j.contents)) {
    if (j.systemInstruction) messages.push({ role: 'system', parts: geminiParts(j.systemInstruction.parts) })
    for (const c of j.contents as Loose[])
      messages.push({
        role: c?.role === 'model' ? 'assistant' : str(c?.role) || 'user',
        parts: geminiParts(c?.parts),
      })
    return { kind: 'gemini', model: j.model, messages, maxTokens: j.generationConfig?.maxOutputTokens }
  }
  if (Array.isArray(j.messages)) {
    const anthropic =
      j.system !== undefined ||
      (j.max_tokens !== undefined &&
        !j.max_completion_tokens &&
        !j.messages.some((m: Loose) => m?.role === 'system'))
    if (j.system !== undefined) messages.push({ role: 'system', parts: blockParts(j.system) })
    for (const m of j.messages as Loose[]) messages.push(chatMessage(m))
    return {
      kind: anthropic ? 'anthropic' : 'openai',
      model: j.model,
      messages,
      maxTokens: j.max_tokens ?? j.max_completion_tokens,
      stream: j.stream,
    }
  }
  if (j.input !== undefined) {
    if (j.instructions)
      messages.push({ role: 'system', parts: [{ kind: 'text', text: str(j.instructions) }] })
    if (typeof j.input === 'string') messages.push({ role: 'user', parts: [{ kind: 'text', text: j.input }] })
    else {
      for (const item of (j.input ?? []) as Loose[]) {
        if (item?.type === 'function_call')
          messages.push({
            role: 'assistant',
            parts: [
              { kind: 'tool_call', name: str(item.name), input: str(item.arguments), id: item.call_id },
            ],
          })
        else if (item?.type === 'function_call_output')
          messages.push({
            role: 'tool',
            parts: [{ kind: 'tool_result', id: item.call_id, content: str(item.output) }],
          })
        else messages.push({ role: str(item?.role) || 'user', parts: blockParts(item?.content) })
      }
    }
    return { kind: 'responses', model: j.model, messages, maxTokens: j.max_output_tokens, stream: j.stream }
  }
  if (typeof j.prompt === 'string')
    return {
      kind: 'openai',
      model: j.model,
      messages: [{ role: 'user', parts: [{ kind: 'text', text: j.prompt }] }],
    }
  return { kind: 'unknown', model: j.model, messages: [] }
}
