import { useCallback, useRef, useState } from 'react'
import {
  buildChatRequest,
  errorFromBody,
  readStreamEvent,
  type ChatProtocol,
  type ChatTurn,
} from '../../lib/chat.ts'
import { SseParser } from '../../lib/sse.ts'
import { parseResponseBody } from '../../lib/transcript.ts'

export interface ChatMessage {
  role: 'user' | 'assistant'
  content: string
  reasoning?: string
  error?: string
  stopped?: boolean
  pending?: boolean
  usage?: { input?: number; output?: number }
}

export interface SendOptions {
  protocol: ChatProtocol
  apiKey: string
  model: string
  system?: string
  maxTokens?: number
  temperature?: number
}

/** The playground conversation and its streaming request (fetch + ReadableStream SSE), with abort. */
export function useChatStream(onError: (message: string) => void) {
  const [messages, setMessages] = useState<ChatMessage[]>([])
  const [streaming, setStreaming] = useState(false)
  const abortRef = useRef<AbortController | null>(null)

  const patchLast = useCallback((fn: (m: ChatMessage) => ChatMessage) => {
    setMessages((list) => (list.length === 0 ? list : [...list.slice(0, -1), fn(list[list.length - 1])]))
  }, [])

  const stop = useCallback(() => abortRef.current?.abort(), [])
  const clear = useCallback(() => {
    abortRef.current?.abort()
    setMessages([])
  }, [])

  const send = useCallback(
    async (text: string, options: SendOptions) => {
      const history: ChatTurn[] = [
        ...messages.filter((m) => !m.error && m.content).map((m) => ({ role: m.role, content: m.content })),
        { role: 'user', content: text },
      ]
      setMessages((list) => [
        ...list,
        { role: 'user', content: text },
        { role: 'assistant', content: '', pending: true },
      ])
      const ctrl = new AbortController()
      abortRef.current = ctrl
      setStreaming(true)
      const req = buildChatRequest(options.protocol, options.apiKey, {
        model: options.model,
        messages: history,
        system: options.system,
        maxTokens: options.maxTokens,
        temperature: options.temperature,
      })
      try {
        const res = await fetch(req.url, {
          method: 'POST',
          headers: req.headers,
          body: JSON.stringify(req.body),
          signal: ctrl.signal,
        })
        if (!res.ok) throw new Error(errorFromBody(await res.text(), res.status))
        const type = res.headers.get('content-type') ?? ''
        if (!type.includes('text/event-stream') || !res.body) {
          const parsed = parseResponseBody(await res.text())
          if (parsed.errors.length) throw new Error(parsed.errors.join('; '))
          patchLast((m) => ({
            ...m,
            content: parsed.text,
            reasoning: parsed.reasoning || undefined,
            pending: false,
          }))
          return
        }
        const reader = res.body.getReader()
        const decoder = new TextDecoder()
        const parser = new SseParser()
        const handle = (events: ReturnType<SseParser['push']>) => {
          let text = ''
          let reasoning = ''
          let usage: ChatMessage['usage']
          for (const ev of events) {
            const d = readStreamEvent(options.protocol, ev)
            if (d.error) throw new Error(d.error)
            if (d.text) text += d.text
            if (d.reasoning) reasoning += d.reasoning
            if (d.usage)
              usage = {
                ...usage,
                ...Object.fromEntries(Object.entries(d.usage).filter(([, v]) => v !== undefined)),
              }
          }
          if (text || reasoning || usage) {
            patchLast((m) => ({
              ...m,
              content: m.content + text,
              reasoning: reasoning ? (m.reasoning ?? '') + reasoning : m.reasoning,
              usage: usage ? { ...m.usage, ...usage } : m.usage,
            }))
          }
        }
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          handle(parser.push(decoder.decode(value, { stream: true })))
        }
        handle(parser.flush())
        patchLast((m) => ({ ...m, pending: false }))
      } catch (e) {
        if (ctrl.signal.aborted) {
          patchLast((m) => ({ ...m, pending: false, stopped: true }))
        } else {
          const msg = e instanceof Error ? e.message : String(e)
          patchLast((m) => ({ ...m, pending: false, error: msg }))
          onError(msg)
        }
      } finally {
        if (abortRef.current === ctrl) abortRef.current = null
        setStreaming(false)
      }
    },
    [messages, patchLast, onError],
  )

  return { messages, streaming, send, stop, clear }
}
