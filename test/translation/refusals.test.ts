/**
 * What a channel's protocol cannot express is refused, never dropped (issue 17; translation-map §1, §5): one
 * refusal per cross-protocol direction, through the client's SDK — a 400 in the client's own error shape that
 * names the client's field, no upstream request, and a usage row at cost 0.
 */
import Anthropic from '@anthropic-ai/sdk'
import { ApiError, GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toBig, toNum } from '../../src/infra/db/convert-row-values.ts'
import { waitForOutcomes } from '../support/proxy-fixture.ts'
import type { ClientName } from './client-turn.ts'
import {
  CHANNEL_MODELS,
  type ChannelName,
  type ContractGateway,
  startContractGateway,
} from './contract-fixture.ts'

interface Refusal {
  client: ClientName
  channel: ChannelName
  /** The client field the 400 must name. */
  field: string
  /** The request's extra fields (beyond model and a one-line prompt). */
  extra: Record<string, unknown>
}

const REFUSALS: readonly Refusal[] = [
  { client: 'chat', channel: 'anthropic', field: 'n', extra: { n: 2 } },
  { client: 'chat', channel: 'gemini', field: 'logit_bias', extra: { logit_bias: { '50256': -100 } } },
  {
    client: 'responses',
    channel: 'anthropic',
    field: 'tools[0]',
    extra: { tools: [{ type: 'web_search' }] },
  },
  {
    client: 'responses',
    channel: 'gemini',
    field: 'previous_response_id',
    extra: { previous_response_id: 'resp_0123456789abcdef' },
  },
  {
    client: 'responses',
    channel: 'openai-chat-only',
    field: 'tools[0]',
    extra: { tools: [{ type: 'web_search' }] },
  },
  {
    client: 'messages',
    channel: 'openai',
    field: 'tools[0]',
    extra: { tools: [{ type: 'code_execution_20250825', name: 'code_execution' }] },
  },
  {
    client: 'messages',
    channel: 'gemini',
    field: 'tools[0]',
    extra: { tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }] },
  },
  { client: 'generate', channel: 'openai', field: 'generationConfig.topK', extra: { topK: 5 } },
  {
    client: 'generate',
    channel: 'anthropic',
    field: 'generationConfig.candidateCount',
    extra: { candidateCount: 2 },
  },
]

/** What the client's SDK threw, read in its own error shape. */
interface Thrown {
  status: number | undefined
  /** OpenAI `error.type`, Anthropic `error.error.type`, Gemini `error.status`. */
  type: string | undefined
  /** OpenAI `error.param` (undefined elsewhere). */
  param: string | undefined | null
  message: string
}

async function thrownBy(call: () => Promise<unknown>): Promise<Thrown> {
  try {
    await call()
  } catch (error) {
    if (error instanceof OpenAI.APIError) {
      const body = error.error as { type?: string } | undefined
      return { status: error.status, type: body?.type, param: error.param, message: error.message }
    }
    if (error instanceof Anthropic.APIError) {
      const body = error.error as { error?: { type?: string; message?: string } } | undefined
      return {
        status: error.status,
        type: body?.error?.type,
        param: undefined,
        message: body?.error?.message ?? '',
      }
    }
    if (error instanceof ApiError) {
      const body = JSON.parse(error.message) as { error?: { status?: string; message?: string } }
      return {
        status: error.status,
        type: body.error?.status,
        param: undefined,
        message: body.error?.message ?? '',
      }
    }
    throw error
  }
  throw new Error('the request was not refused')
}

describe('refusals across protocols', () => {
  let g: ContractGateway
  let openai: OpenAI
  let anthropic: Anthropic
  let gemini: GoogleGenAI

  beforeAll(async () => {
    g = await startContractGateway('sqlite')
    openai = new OpenAI({ baseURL: `${g.f.gateway}/v1`, apiKey: g.f.key, maxRetries: 0 })
    anthropic = new Anthropic({ baseURL: g.f.gateway, apiKey: g.f.key, maxRetries: 0 })
    gemini = new GoogleGenAI({
      apiKey: g.f.key,
      httpOptions: { baseUrl: g.f.gateway, retryOptions: { attempts: 1 } },
    })
  })
  afterAll(async () => g?.close())

  function send(r: Refusal): Promise<unknown> {
    const model = CHANNEL_MODELS[r.channel]
    const prompt = 'Say hello.'
    switch (r.client) {
      case 'chat':
        return openai.chat.completions.create({
          model,
          messages: [{ role: 'user', content: prompt }],
          ...r.extra,
        } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming)
      case 'responses':
        return openai.responses.create({
          model,
          input: prompt,
          ...r.extra,
        } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
      case 'messages':
        return anthropic.messages.create({
          model,
          max_tokens: 256,
          messages: [{ role: 'user', content: prompt }],
          ...r.extra,
        } as Anthropic.MessageCreateParamsNonStreaming)
      case 'generate':
        return gemini.models.generateContent({ model, contents: prompt, config: r.extra })
    }
  }

  it.each(REFUSALS)('$client → $channel: refuses $field', async (r) => {
    const upstreamBefore = g.f.upstream.requests.length
    const outcomesBefore = g.f.outcomes.length
    const thrown = await thrownBy(() => send(r))
    expect(thrown.status).toBe(400)
    if (r.client === 'chat' || r.client === 'responses') {
      expect(thrown.type).toBe('invalid_request_error')
      expect(thrown.param).toBe(r.field)
    } else if (r.client === 'messages') {
      expect(thrown.type).toBe('invalid_request_error')
      expect(thrown.message).toContain(r.field)
    } else {
      expect(thrown.type).toBe('INVALID_ARGUMENT')
      expect(thrown.message).toContain(r.field)
    }
    // Refused before the provider: nothing sent, nothing billed, one usage row at cost 0.
    await waitForOutcomes(g.f, outcomesBefore + 1)
    expect(g.f.upstream.requests.length).toBe(upstreamBefore)
    const outcome = g.f.outcomes[outcomesBefore]
    expect(outcome.status).toBe(400)
    const row = await g.f.t.tdb.db.db
      .selectFrom('usage_logs')
      .selectAll()
      .where('request_id', '=', outcome.requestId)
      .executeTakeFirst()
    expect(row, 'a usage row for the refused request').toBeDefined()
    expect(toBig(row!.cost_nano)).toBe(0n)
    expect(toNum(row!.status)).toBe(400)
  })

  it('passes the same fields through untouched on the protocol that has them', async () => {
    // The refusal is the translation's, not the gateway's: on its own protocol the field reaches the provider.
    const before = g.f.upstream.requests.length
    await anthropic.messages.create({
      model: CHANNEL_MODELS.anthropic,
      max_tokens: 256,
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }],
      messages: [{ role: 'user', content: 'Say hello.' }],
    })
    await openai.chat.completions.create({
      model: CHANNEL_MODELS.openai,
      n: 2,
      messages: [{ role: 'user', content: 'Say hello.' }],
    })
    const sent = g.f.upstream.requests.slice(before).map((r) => JSON.parse(r.body) as Record<string, unknown>)
    expect(sent[0].tools).toEqual([{ type: 'web_search_20250305', name: 'web_search', max_uses: 2 }])
    expect(sent[1].n).toBe(2)
  })
})
