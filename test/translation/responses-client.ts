/** The Responses client of the contract suite: the `openai` SDK's `responses.create`, as Codex uses it. */
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

type Params = OpenAI.Responses.ResponseCreateParamsNonStreaming
type InputItem = OpenAI.Responses.ResponseInputItem
type Response = OpenAI.Responses.Response

function firstInput(req: TurnRequest): InputItem[] {
  const content: OpenAI.Responses.ResponseInputMessageContentList = [
    { type: 'input_text', text: PROMPTS[req.feature] },
  ]
  if (req.feature === 'image')
    content.push({
      type: 'input_image',
      detail: 'auto',
      image_url: `data:${IMAGE.mediaType};base64,${IMAGE.base64}`,
    })
  return [{ role: 'user', content }]
}

function paramsOf(req: TurnRequest, input: InputItem[]): Params {
  const params: Params = { model: req.model, input, max_output_tokens: 2048, store: false }
  const tools = toolsOf(req.feature)
  if (tools.length > 0)
    params.tools = tools.map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description,
      parameters: t.parameters,
      strict: false,
    }))
  if (req.feature === 'json')
    params.text = { format: { type: 'json_schema', name: 'weather', schema: ANSWER_SCHEMA, strict: true } }
  if (wantsThinking(req.feature)) {
    params.reasoning = { effort: 'medium', summary: 'auto' }
    params.include = ['reasoning.encrypted_content']
  }
  return params
}

function turnOf(r: Response, calls: ClientTurn['calls'] | undefined): ClientTurn {
  let text = ''
  let thinking = ''
  for (const item of r.output) {
    if (item.type === 'message')
      for (const part of item.content) if (part.type === 'output_text') text += part.text
    if (item.type === 'reasoning') for (const s of item.summary) thinking += s.text
  }
  const whole = r.output
    .filter((i) => i.type === 'function_call')
    .map((i) => ({ id: i.call_id, name: i.name, args: JSON.parse(i.arguments || '{}'), fragments: 1 }))
  return { text, thinking, calls: calls ?? whole, finish: r.status ?? '', usage: r.usage ?? undefined }
}

interface Session {
  input: InputItem[]
  response: Response
}

async function send(
  client: OpenAI,
  req: TurnRequest,
  input: InputItem[],
): Promise<Response & { turn: ClientTurn }> {
  const params = paramsOf(req, input)
  if (!req.stream) {
    const r = await client.responses.create(params)
    return Object.assign(r, { turn: turnOf(r, undefined) })
  }
  const stream = await client.responses.create({ ...params, stream: true })
  const calls = new CallCollector()
  let final: Response | undefined
  let streamedText = ''
  for await (const ev of stream) {
    if (ev.type === 'response.output_item.added' && ev.item.type === 'function_call')
      calls.start(ev.item.id ?? ev.item.call_id, ev.item.call_id, ev.item.name)
    if (ev.type === 'response.function_call_arguments.delta') calls.fragment(ev.item_id, ev.delta)
    if (ev.type === 'response.output_text.delta') streamedText += ev.delta
    if (ev.type === 'response.completed' || ev.type === 'response.incomplete') final = ev.response
  }
  if (!final) throw new Error('the stream ended without response.completed')
  const turn = turnOf(final, calls.result())
  // The deltas and the final response must tell the same text.
  if (streamedText !== turn.text) throw new Error(`streamed text "${streamedText}" ≠ final "${turn.text}"`)
  return Object.assign(final, { turn })
}

export function responsesClient(client: OpenAI): ClientAdapter {
  return {
    name: 'responses',
    async ask(req) {
      const input = firstInput(req)
      const response = await send(client, req, input)
      return { turn: response.turn, session: { input, response } satisfies Session }
    },
    async answerTools(req, session, results) {
      const { input, response } = session as Session
      const replayed = response.output.filter(
        (i) => i.type === 'function_call' || i.type === 'reasoning',
      ) as InputItem[]
      const calls = response.output.filter((i) => i.type === 'function_call')
      const history: InputItem[] = [
        ...input,
        ...replayed,
        ...calls.map((c, i) => ({
          type: 'function_call_output' as const,
          call_id: c.call_id,
          output: results[i],
        })),
      ]
      return (await send(client, req, history)).turn
    },
  }
}
