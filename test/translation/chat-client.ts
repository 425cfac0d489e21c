/** The Chat Completions client of the contract suite: the `openai` SDK's `chat.completions.create`. */
import type OpenAI from 'openai'
import {
  ANSWER_SCHEMA,
  CallCollector,
  type ClientAdapter,
  type ClientTurn,
  IMAGE,
  PROMPTS,
  toolsOf,
  type TurnRequest,
  wantsThinking,
} from './client-turn.ts'

type Params = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming
type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam

function firstMessages(req: TurnRequest): Message[] {
  if (req.feature === 'image')
    return [
      {
        role: 'user',
        content: [
          { type: 'text', text: PROMPTS.image },
          { type: 'image_url', image_url: { url: `data:${IMAGE.mediaType};base64,${IMAGE.base64}` } },
        ],
      },
    ]
  return [{ role: 'user', content: PROMPTS[req.feature] }]
}

function paramsOf(req: TurnRequest, messages: Message[]): Params {
  const params: Params = { model: req.model, messages, max_completion_tokens: 2048 }
  const tools = toolsOf(req.feature)
  if (tools.length > 0)
    params.tools = tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.parameters },
    }))
  if (req.feature === 'json')
    params.response_format = {
      type: 'json_schema',
      json_schema: { name: 'weather', schema: ANSWER_SCHEMA, strict: true },
    }
  if (wantsThinking(req.feature)) params.reasoning_effort = 'medium'
  return params
}

interface Session {
  messages: Message[]
  first: ClientTurn
}

async function send(client: OpenAI, req: TurnRequest, messages: Message[]): Promise<ClientTurn> {
  const params = paramsOf(req, messages)
  if (!req.stream) {
    const c = await client.chat.completions.create(params)
    const m = c.choices[0].message
    return {
      text: m.content ?? '',
      thinking: '',
      calls: (m.tool_calls ?? []).map((t) => ({
        id: t.id,
        name: t.type === 'function' ? t.function.name : '',
        args: t.type === 'function' ? JSON.parse(t.function.arguments || '{}') : undefined,
        fragments: 1,
      })),
      finish: c.choices[0].finish_reason,
      usage: c.usage,
    }
  }
  const stream = await client.chat.completions.create({
    ...params,
    stream: true,
    stream_options: { include_usage: true },
  })
  const calls = new CallCollector()
  let text = ''
  let finish = ''
  let usage: ClientTurn['usage']
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage
    const choice = chunk.choices[0]
    if (!choice) continue
    text += choice.delta.content ?? ''
    for (const t of choice.delta.tool_calls ?? []) {
      calls.start(t.index, t.id, t.function?.name ?? '')
      calls.update(t.index, t.id, t.function?.name)
      calls.fragment(t.index, t.function?.arguments)
    }
    if (choice.finish_reason) finish = choice.finish_reason
  }
  return { text, thinking: '', calls: calls.result(), finish, usage }
}

export function chatClient(client: OpenAI): ClientAdapter {
  return {
    name: 'chat',
    async ask(req) {
      const messages = firstMessages(req)
      const turn = await send(client, req, messages)
      return { turn, session: { messages, first: turn } satisfies Session }
    },
    async answerTools(req, session, results) {
      const { messages, first } = session as Session
      const history: Message[] = [
        ...messages,
        {
          role: 'assistant',
          content: first.text === '' ? null : first.text,
          tool_calls: first.calls.map((c) => ({
            id: c.id ?? '',
            type: 'function' as const,
            function: { name: c.name, arguments: JSON.stringify(c.args) },
          })),
        },
        ...first.calls.map((c, i) => ({
          role: 'tool' as const,
          tool_call_id: c.id ?? '',
          content: results[i],
        })),
      ]
      return send(client, req, history)
    },
  }
}
