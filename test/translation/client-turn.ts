/**
 * What every client of the contract suite does and sees, in one shape: the requests of each feature (the same
 * prompt, tools, schema and image in every dialect) and a turn as the client read it through its SDK.
 */
import { TINY_PNG_BASE64 } from '../fake-upstream/fake-content.ts'
import type { WireJson } from './wire-json.ts'

export type ClientName = 'chat' | 'responses' | 'messages' | 'generate'
export type Feature = 'text' | 'tool' | 'parallel' | 'image' | 'json' | 'thinking' | 'thinking-tool'

export interface ClientToolCall {
  /** The id the client got (Gemini without ids: undefined). */
  id: string | undefined
  name: string
  args: unknown
  /** Streamed: how many non-empty argument fragments arrived (1 for a whole call). */
  fragments: number
}

/** One answer as the client's SDK gave it; `finish` and `usage` in the client's own protocol. */
export interface ClientTurn {
  text: string
  /** Thinking / reasoning summary / thought text the client was shown ('' when none). */
  thinking: string
  calls: ClientToolCall[]
  finish: string
  usage: WireJson | undefined
}

export interface TurnRequest {
  model: string
  stream: boolean
  feature: Feature
}

/**
 * A client dialect driven through its official SDK. `ask` sends a feature's first request; `answerTools`
 * continues that conversation with one result per call (the calls' own ids sent back) and returns the answer.
 */
export interface ClientAdapter {
  name: ClientName
  ask(req: TurnRequest): Promise<{ turn: ClientTurn; session: unknown }>
  answerTools(req: TurnRequest, session: unknown, results: string[]): Promise<ClientTurn>
}

export const PROMPTS: Record<Feature, string> = {
  text: 'Say hello.',
  tool: 'What is the weather in Paris?',
  parallel: 'Get the weather and the local time in Paris, in parallel.',
  image: 'What is in this image?',
  json: 'Give me the weather in Paris as JSON.',
  thinking: 'Think it over, then say hello.',
  'thinking-tool': 'Think it over, then check the weather in Paris.',
}

export interface ToolSpec {
  name: string
  description: string
  parameters: Record<string, unknown>
}

export const WEATHER_TOOL: ToolSpec = {
  name: 'get_weather',
  description: 'The weather forecast of a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer' } },
    required: ['city'],
  },
}
export const TIME_TOOL: ToolSpec = {
  name: 'get_time',
  description: 'The local time of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}

/** Whether a feature asks for thinking / reasoning. */
export function wantsThinking(feature: Feature): boolean {
  return feature === 'thinking' || feature === 'thinking-tool'
}

/** The tools a feature offers: one for a round trip, two for parallel calls, none otherwise. */
export function toolsOf(feature: Feature): ToolSpec[] {
  if (feature === 'tool' || feature === 'thinking-tool') return [WEATHER_TOOL]
  if (feature === 'parallel') return [WEATHER_TOOL, TIME_TOOL]
  return []
}

export const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temperature: { type: 'integer' },
    sunny: { type: 'boolean' },
  },
  required: ['city', 'temperature', 'sunny'],
  additionalProperties: false,
}

export const IMAGE = { mediaType: 'image/png', base64: TINY_PNG_BASE64 }

/** The result a test sends back for the i-th call. */
export function toolResultFor(index: number): string {
  return `sunny ${21 + index}C (result ${index})`
}

/** Gathers streamed tool-call fragments by a key (index, item id, block index) in arrival order. */
export class CallCollector {
  private readonly calls = new Map<
    string | number,
    { id?: string; name: string; args: string; fragments: number }
  >()

  start(key: string | number, id: string | undefined, name: string): void {
    if (!this.calls.has(key)) this.calls.set(key, { id, name, args: '', fragments: 0 })
  }

  fragment(key: string | number, text: string | undefined): void {
    const call = this.calls.get(key)
    if (!call || !text) return
    call.args += text
    call.fragments++
  }

  /** Fills id/name that arrive later (OpenAI chat sends them with the first fragment). */
  update(key: string | number, id: string | undefined, name: string | undefined): void {
    const call = this.calls.get(key)
    if (!call) return
    if (id) call.id = id
    if (name) call.name = name
  }

  result(): ClientToolCall[] {
    return [...this.calls.values()].map((c) => ({
      id: c.id,
      name: c.name,
      args: c.args === '' ? {} : JSON.parse(c.args),
      fragments: c.fragments,
    }))
  }
}
