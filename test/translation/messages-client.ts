/** The Anthropic Messages client of the contract suite: `@anthropic-ai/sdk`'s `messages.create` / `messages.stream`. */
import type Anthropic from '@anthropic-ai/sdk'
import {
  ANSWER_SCHEMA,
  type ClientAdapter,
  type ClientTurn,
  IMAGE,
  PROMPTS,
  toolsOf,
  type TurnRequest,
  wantsThinking,
} from './client-turn.ts'

type Params = Anthropic.MessageCreateParamsNonStreaming
type MessageParam = Anthropic.MessageParam
type Message = Anthropic.Message

function firstMessages(req: TurnRequest): MessageParam[] {
  if (req.feature === 'image')
    return [
      {
        role: 'user',
        content: [
          { type: 'text', text: PROMPTS.image },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: IMAGE.base64 } },
        ],
      },
    ]
  return [{ role: 'user', content: PROMPTS[req.feature] }]
}

function paramsOf(req: TurnRequest, messages: MessageParam[]): Params {
  const params: Params = { model: req.model, max_tokens: 4096, messages }
  const tools = toolsOf(req.feature)
  if (tools.length > 0)
    params.tools = tools.map((t) => ({
      name: t.name,
      description: t.description,
      input_schema: t.parameters as Anthropic.Tool.InputSchema,
    }))
  if (req.feature === 'json')
    params.output_config = { format: { type: 'json_schema', schema: ANSWER_SCHEMA } }
  if (wantsThinking(req.feature)) params.thinking = { type: 'enabled', budget_tokens: 1024 }
  return params
}

function turnOf(m: Message, fragments: Map<number, number> | undefined): ClientTurn {
  let text = ''
  let thinking = ''
  const calls: ClientTurn['calls'] = []
  m.content.forEach((block, index) => {
    if (block.type === 'text') text += block.text
    if (block.type === 'thinking') thinking += block.thinking
    if (block.type === 'tool_use')
      calls.push({ id: block.id, name: block.name, args: block.input, fragments: fragments?.get(index) ?? 1 })
  })
  return { text, thinking, calls, finish: m.stop_reason ?? '', usage: m.usage }
}

interface Session {
  messages: MessageParam[]
  message: Message
}

async function send(client: Anthropic, req: TurnRequest, messages: MessageParam[]): Promise<Message> {
  const params = paramsOf(req, messages)
  if (!req.stream) return client.messages.create(params)
  const stream = client.messages.stream(params)
  const fragments = new Map<number, number>()
  for await (const ev of stream)
    if (
      ev.type === 'content_block_delta' &&
      ev.delta.type === 'input_json_delta' &&
      ev.delta.partial_json !== ''
    )
      fragments.set(ev.index, (fragments.get(ev.index) ?? 0) + 1)
  const message = await stream.finalMessage()
  return Object.assign(message, { fragments })
}

function toTurn(m: Message): ClientTurn {
  return turnOf(m, (m as Message & { fragments?: Map<number, number> }).fragments)
}

export function messagesClient(client: Anthropic): ClientAdapter {
  return {
    name: 'messages',
    async ask(req) {
      const messages = firstMessages(req)
      const message = await send(client, req, messages)
      return { turn: toTurn(message), session: { messages, message } satisfies Session }
    },
    async answerTools(req, session, results) {
      const { messages, message } = session as Session
      const uses = message.content.filter((b) => b.type === 'tool_use')
      const history: MessageParam[] = [
        ...messages,
        { role: 'assistant', content: message.content },
        {
          role: 'user',
          content: uses.map((u, i) => ({
            type: 'tool_result' as const,
            tool_use_id: u.id,
            content: results[i],
          })),
        },
      ]
      return toTurn(await send(client, req, history))
    },
  }
}
