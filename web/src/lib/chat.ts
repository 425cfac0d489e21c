import type { SseEvent } from './sse.ts'
import { tryJson } from './sse.ts'
import type { Loose } from './loose.ts'
import type { ProtocolId } from '../../../src/protocol/protocol-adapter.ts'

/** Building playground requests for the three client protocols, and reading their stream events. */

export type ChatProtocol = ProtocolId

export interface ChatTurn {
  role: 'user' | 'assistant'
  content: string
}

export interface ChatOptions {
  model: string
  messages: ChatTurn[]
  system?: string
  maxTokens?: number
  temperature?: number
}

export interface BuiltRequest {
  url: string
  headers: Record<string, string>
  body: Record<string, unknown>
}

export function buildChatRequest(protocol: ChatProtocol, key: string, options: ChatOptions): BuiltRequest {
  const maxTokens = options.maxTokens && options.maxTokens > 0 ? options.maxTokens : undefined
  switch (protocol) {
    case 'openai': {
      const messages: { role: string; content: string }[] = []
      if (options.system) messages.push({ role: 'system', content: options.system })
      messages.push(...options.messages)
      const body: Record<string, unknown> = {
        model: options.model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      }
      if (maxTokens) body.max_tokens = maxTokens
      if (options.temperature !== undefined) body.temperature = options.temperature
      return {
        url: '/v1/chat/completions',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
        body,
      }
    }
    case 'anthropic': {
      const body: Record<string, unknown> = {
        model: options.model,
        max_tokens: maxTokens ?? 4096,
        messages: options.messages,
        stream: true,
      }
      if (options.system) body.system = options.system
      if (options.temperature !== undefined) body.temperature = options.temperature
      return {
        url: '/v1/messages',
        headers: { 'Content-Type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
        body,
      }
    }
    case 'gemini': {
      const body: Record<string, unknown> = {
        contents: options.messages.map((m) => ({
          role: m.role === 'assistant' ? 'model' : 'user',
          parts: [{ text: m.content }],
        })),
      }
      if (options.system) body.systemInstruction = { parts: [{ text: options.system }] }
      const gen: Record<string, unknown> = {}
      if (maxTokens) gen.maxOutputTokens = maxTokens
      if (options.temperature !== undefined) gen.temperature = options.temperature
      if (Object.keys(gen).length > 0) body.generationConfig = gen
      return {
        url: `/v1beta/models/${encodeURIComponent(options.model)}:streamGenerateContent?alt=sse`,
        headers: { 'Content-Type': 'application/json', 'x-goog-api-key': key },
        body,
      }
    }
  }
}

export interface StreamDelta {
  text?: string
  reasoning?: string
  error?: string
  done?: boolean
  usage?: { input?: number; output?: number }
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e
  if (e && typeof e === 'object') {
    const o = e as { message?: unknown; error?: unknown; type?: unknown }
    if (typeof o.message === 'string') return o.message
    if (o.error !== undefined) return errorText(o.error)
    if (typeof o.type === 'string') return o.type
  }
  return JSON.stringify(e)
}

/** Interpret one SSE event of a streamed answer. */
export function readStreamEvent(protocol: ChatProtocol, ev: SseEvent): StreamDelta {
  if (ev.data === '[DONE]') return { done: true }
  const j = tryJson(ev.data) as Record<string, Loose> | undefined
  if (!j) return {}
  if (ev.event === 'error' || j.type === 'error' || j.error) return { error: errorText(j.error ?? j) }
  switch (protocol) {
    case 'openai': {
      const delta = j.choices?.[0]?.delta ?? {}
      const out: StreamDelta = {}
      if (typeof delta.content === 'string') out.text = delta.content
      const r = delta.reasoning_content ?? delta.reasoning
      if (typeof r === 'string') out.reasoning = r
      if (j.usage) out.usage = { input: j.usage.prompt_tokens, output: j.usage.completion_tokens }
      return out
    }
    case 'anthropic': {
      const type = ev.event ?? j.type
      if (type === 'content_block_delta') {
        const d = j.delta ?? {}
        if (d.type === 'text_delta') return { text: d.text }
        if (d.type === 'thinking_delta') return { reasoning: d.thinking }
        return {}
      }
      if (type === 'message_start') return { usage: { input: j.message?.usage?.input_tokens } }
      if (type === 'message_delta') return { usage: { output: j.usage?.output_tokens } }
      if (type === 'message_stop') return { done: true }
      return {}
    }
    case 'gemini': {
      const parts: { text?: string; thought?: boolean }[] = j.candidates?.[0]?.content?.parts ?? []
      const out: StreamDelta = {}
      for (const p of parts) {
        if (typeof p.text !== 'string') continue
        if (p.thought) out.reasoning = (out.reasoning ?? '') + p.text
        else out.text = (out.text ?? '') + p.text
      }
      if (j.usageMetadata)
        out.usage = { input: j.usageMetadata.promptTokenCount, output: j.usageMetadata.candidatesTokenCount }
      return out
    }
  }
}

/** The message of a non-2xx answer, whatever the protocol. */
export function errorFromBody(text: string, status: number): string {
  const j = tryJson(text)
  if (j !== undefined) return errorText(j)
  const trimmed = text.trim()
  if (trimmed && !trimmed.startsWith('<')) return trimmed.slice(0, 300)
  return `HTTP ${status}`
}

export function guessProtocol(ownedBy: string | undefined, model: string): ChatProtocol {
  const o = (ownedBy ?? '').toLowerCase()
  if (o.includes('anthropic')) return 'anthropic'
  if (o.includes('gemini') || o.includes('google')) return 'gemini'
  if (o.includes('openai')) return 'openai'
  const m = model.toLowerCase()
  if (m.startsWith('claude')) return 'anthropic'
  if (m.startsWith('gemini')) return 'gemini'
  return 'openai'
}

export type SnippetLang = 'curl' | 'python' | 'node'

function q(text: string): string {
  return JSON.stringify(text)
}

/** The equivalent call outside the dashboard. */
export function snippet(
  lang: SnippetLang,
  protocol: ChatProtocol,
  origin: string,
  key: string,
  model: string,
  prompt: string,
): string {
  const k = key || 'sk-...'
  const m = model || 'MODEL'
  const p = prompt || 'Hello!'
  if (lang === 'curl') {
    const req = buildChatRequest(protocol, k, { model: m, messages: [{ role: 'user', content: p }] })
    const headers = Object.entries(req.headers)
      .map(([h, v]) => `  -H '${h}: ${v}' \\`)
      .join('\n')
    const body = JSON.stringify(req.body, null, 2).replace(/'/g, "'\\''")
    return `curl -N '${origin}${req.url}' \\\n${headers}\n  -d '${body}'`
  }
  if (lang === 'python') {
    switch (protocol) {
      case 'openai':
        return `from openai import OpenAI\n\nclient = OpenAI(base_url=${q(origin + '/v1')}, api_key=${q(k)})\nstream = client.chat.completions.create(\n    model=${q(m)},\n    messages=[{"role": "user", "content": ${q(p)}}],\n    stream=True,\n)\nfor chunk in stream:\n    if chunk.choices:\n        print(chunk.choices[0].delta.content or "", end="")`
      case 'anthropic':
        return `import anthropic\n\nclient = anthropic.Anthropic(base_url=${q(origin)}, api_key=${q(k)})\nwith client.messages.stream(\n    model=${q(m)},\n    max_tokens=4096,\n    messages=[{"role": "user", "content": ${q(p)}}],\n) as stream:\n    for text in stream.text_stream:\n        print(text, end="")`
      case 'gemini':
        return `from google import genai\nfrom google.genai import types\n\nclient = genai.Client(api_key=${q(k)}, http_options=types.HttpOptions(base_url=${q(origin)}))\nfor chunk in client.models.generate_content_stream(model=${q(m)}, contents=${q(p)}):\n    print(chunk.text or "", end="")`
    }
  }
  switch (protocol) {
    case 'openai':
      return `import OpenAI from 'openai'\n\nconst client = new OpenAI({ baseURL: ${q(origin + '/v1')}, apiKey: ${q(k)} })\nconst stream = await client.chat.completions.create({\n  model: ${q(m)},\n  messages: [{ role: 'user', content: ${q(p)} }],\n  stream: true,\n})\nfor await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta?.content ?? '')`
    case 'anthropic':
      return `import Anthropic from '@anthropic-ai/sdk'\n\nconst client = new Anthropic({ baseURL: ${q(origin)}, apiKey: ${q(k)} })\nconst stream = client.messages.stream({\n  model: ${q(m)},\n  max_tokens: 4096,\n  messages: [{ role: 'user', content: ${q(p)} }],\n})\nstream.on('text', (t) => process.stdout.write(t))\nawait stream.finalMessage()`
    case 'gemini':
      return `import { GoogleGenAI } from '@google/genai'\n\nconst ai = new GoogleGenAI({ apiKey: ${q(k)}, httpOptions: { baseUrl: ${q(origin)} } })\nconst stream = await ai.models.generateContentStream({ model: ${q(m)}, contents: ${q(p)} })\nfor await (const chunk of stream) process.stdout.write(chunk.text ?? '')`
  }
}
