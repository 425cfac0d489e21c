/** The Gemini client of the contract suite: `@google/genai`'s `models.generateContent` / `generateContentStream`. */
import type {
  Content,
  GenerateContentConfig,
  GenerateContentResponse,
  GoogleGenAI,
  Part,
} from '@google/genai'
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

function firstContents(req: TurnRequest): Content[] {
  const parts: Part[] = [{ text: PROMPTS[req.feature] }]
  if (req.feature === 'image') parts.push({ inlineData: { mimeType: IMAGE.mediaType, data: IMAGE.base64 } })
  return [{ role: 'user', parts }]
}

function configOf(req: TurnRequest): GenerateContentConfig {
  const config: GenerateContentConfig = { maxOutputTokens: 4096 }
  const tools = toolsOf(req.feature)
  if (tools.length > 0)
    config.tools = [
      {
        functionDeclarations: tools.map((t) => ({
          name: t.name,
          description: t.description,
          parametersJsonSchema: t.parameters,
        })),
      },
    ]
  if (req.feature === 'json') {
    config.responseMimeType = 'application/json'
    config.responseJsonSchema = ANSWER_SCHEMA
  }
  if (wantsThinking(req.feature)) config.thinkingConfig = { includeThoughts: true, thinkingBudget: 1024 }
  return config
}

/** The model's parts across a stream's chunks (text increments joined), its finish reason and last usage. */
interface Answer {
  parts: Part[]
  finish: string
  usage: GenerateContentResponse['usageMetadata']
  chunks: number
}

function collect(chunks: GenerateContentResponse[]): Answer {
  const parts: Part[] = []
  let finish = ''
  let usage: Answer['usage']
  for (const c of chunks) {
    const candidate = c.candidates?.[0]
    for (const p of candidate?.content?.parts ?? []) parts.push(p)
    if (candidate?.finishReason) finish = candidate.finishReason
    if (c.usageMetadata) usage = c.usageMetadata
  }
  return { parts, finish, usage, chunks: chunks.length }
}

function turnOf(a: Answer): ClientTurn {
  let text = ''
  let thinking = ''
  const calls: ClientTurn['calls'] = []
  for (const p of a.parts) {
    if (p.functionCall)
      calls.push({
        id: p.functionCall.id,
        name: p.functionCall.name ?? '',
        args: p.functionCall.args,
        fragments: 1,
      })
    else if (p.thought && p.text) thinking += p.text
    else if (p.text) text += p.text
  }
  return { text, thinking, calls, finish: a.finish, usage: a.usage as Record<string, unknown> | undefined }
}

interface Session {
  contents: Content[]
  answer: Answer
}

async function send(client: GoogleGenAI, req: TurnRequest, contents: Content[]): Promise<Answer> {
  const params = { model: req.model, contents, config: configOf(req) }
  if (!req.stream) return collect([await client.models.generateContent(params)])
  const chunks: GenerateContentResponse[] = []
  for await (const c of await client.models.generateContentStream(params)) chunks.push(c)
  return collect(chunks)
}

export function generateClient(client: GoogleGenAI): ClientAdapter {
  return {
    name: 'generate',
    async ask(req) {
      const contents = firstContents(req)
      const answer = await send(client, req, contents)
      return { turn: turnOf(answer), session: { contents, answer } satisfies Session }
    },
    async answerTools(req, session, results) {
      const { contents, answer } = session as Session
      const calls = answer.parts.filter((p) => p.functionCall)
      const history: Content[] = [
        ...contents,
        // The model's turn as it came, thought signatures and call ids included.
        { role: 'model', parts: answer.parts },
        {
          role: 'user',
          parts: calls.map((p, i) => ({
            functionResponse: {
              ...(p.functionCall?.id ? { id: p.functionCall.id } : {}),
              name: p.functionCall?.name,
              response: { output: results[i] },
            },
          })),
        },
      ]
      return turnOf(await send(client, req, history))
    },
  }
}
