/**
 * An upstream's own 4xx crosses back in the client's protocol (translation-map §5): every client dialect × every
 * channel of another protocol, through the client's SDK — the status kept, the client's error type, the
 * provider's message kept. The upstream answers 400 because the model name selects that scenario on the fake
 * upstream (test/fake-upstream/scenario.ts).
 */
import Anthropic from '@anthropic-ai/sdk'
import { ApiError, GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { modelWithScenario } from '../fake-upstream/scenario.ts'
import { CLIENTS } from './contract-cells.ts'
import type { ClientName } from './client-turn.ts'
import { type ContractGateway, startContractGateway } from './contract-fixture.ts'

type Provider = 'openai' | 'anthropic' | 'gemini'

const HOME: Record<ClientName, Provider> = {
  chat: 'openai',
  responses: 'openai',
  messages: 'anthropic',
  generate: 'gemini',
}

/** A model each provider's channel serves that makes the fake upstream answer 400 in that provider's shape. */
const FAILING_MODEL: Record<Provider, string> = {
  openai: modelWithScenario('status:400', 'gpt-4o-mini'),
  anthropic: modelWithScenario('status:400', 'claude-sonnet-5-5'),
  gemini: modelWithScenario('status:400', 'gemini-2.5-flash'),
}

/** The provider's own message for its 400 (test/fake-upstream/provider-errors.ts). */
const UPSTREAM_MESSAGE: Record<Provider, string> = {
  openai: 'Invalid request.',
  anthropic: 'Invalid request.',
  gemini: 'Request contains an invalid argument.',
}

/** The client's error type of a 400. */
const CLIENT_TYPE: Record<ClientName, string> = {
  chat: 'invalid_request_error',
  responses: 'invalid_request_error',
  messages: 'invalid_request_error',
  generate: 'INVALID_ARGUMENT',
}

/** The error envelope of each client protocol (the SDKs keep OpenAI's `error` member, the others' whole body). */
const ENVELOPE: Record<ClientName, unknown> = {
  chat: {
    error: expect.objectContaining({
      message: expect.any(String),
      type: 'invalid_request_error',
      param: null,
    }),
  },
  responses: {
    error: expect.objectContaining({
      message: expect.any(String),
      type: 'invalid_request_error',
      param: null,
    }),
  },
  messages: expect.objectContaining({
    type: 'error',
    error: expect.objectContaining({ type: 'invalid_request_error' }),
  }),
  generate: {
    error: expect.objectContaining({ code: 400, status: 'INVALID_ARGUMENT', message: expect.any(String) }),
  },
}

const CASES = CLIENTS.flatMap((client) =>
  (['openai', 'anthropic', 'gemini'] as const)
    .filter((provider) => provider !== HOME[client])
    .flatMap((provider) => [false, true].map((stream) => ({ client, provider, stream }))),
)

describe('upstream errors in the client protocol', () => {
  let g: ContractGateway
  let openai: OpenAI
  let anthropic: Anthropic
  let gemini: GoogleGenAI

  beforeAll(async () => {
    g = await startContractGateway('sqlite')
    for (const provider of ['openai', 'anthropic', 'gemini'] as const)
      await g.f.addChannel({
        name: `failing-${provider}`,
        provider,
        base_url: `${g.f.upstream.url}/${provider === 'gemini' ? 'v1beta' : 'v1'}`,
        api_key: `sk-failing-${provider}-canary-3Qe8`,
        models: [FAILING_MODEL[provider]],
      })
    openai = new OpenAI({ baseURL: `${g.f.gateway}/v1`, apiKey: g.f.key, maxRetries: 0 })
    anthropic = new Anthropic({ baseURL: g.f.gateway, apiKey: g.f.key, maxRetries: 0 })
    gemini = new GoogleGenAI({
      apiKey: g.f.key,
      httpOptions: { baseUrl: g.f.gateway, retryOptions: { attempts: 1 } },
    })
  })
  afterAll(async () => g?.close())

  /** Sends a one-line prompt; resolves with what the SDK threw, in its client's error shape. */
  async function fail(
    client: ClientName,
    model: string,
    stream: boolean,
  ): Promise<{ status?: number; type?: string; message: string; body: unknown }> {
    const prompt = 'Say hello.'
    try {
      switch (client) {
        case 'chat':
          if (stream)
            for await (const _ of await openai.chat.completions.create({
              model,
              stream,
              messages: [{ role: 'user', content: prompt }],
            }));
          else await openai.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] })
          break
        case 'responses':
          if (stream) for await (const _ of await openai.responses.create({ model, input: prompt, stream }));
          else await openai.responses.create({ model, input: prompt })
          break
        case 'messages': {
          const body = { model, max_tokens: 256, messages: [{ role: 'user' as const, content: prompt }] }
          if (stream) await anthropic.messages.stream(body).finalMessage()
          else await anthropic.messages.create(body)
          break
        }
        case 'generate':
          if (stream)
            for await (const _ of await gemini.models.generateContentStream({ model, contents: prompt }));
          else await gemini.models.generateContent({ model, contents: prompt })
          break
      }
    } catch (error) {
      if (error instanceof OpenAI.APIError) {
        const body = error.error as { type?: string } | undefined
        return { status: error.status, type: body?.type, message: error.message, body: { error: body } }
      }
      if (error instanceof Anthropic.APIError) {
        const body = error.error as { error?: { type?: string; message?: string } } | undefined
        return { status: error.status, type: body?.error?.type, message: body?.error?.message ?? '', body }
      }
      if (error instanceof ApiError) {
        const body = JSON.parse(error.message) as { error?: { status?: string; message?: string } }
        return { status: error.status, type: body.error?.status, message: body.error?.message ?? '', body }
      }
      throw error
    }
    throw new Error('the request did not fail')
  }

  it.each(CASES)('$client client, $provider channel (stream: $stream): a 400 in its own shape', async (c) => {
    const before = g.f.upstream.requests.length
    const thrown = await fail(c.client, FAILING_MODEL[c.provider], c.stream)
    // The provider was asked (once), and its answer reached the client translated.
    expect(g.f.upstream.requests.length - before).toBe(1)
    expect(thrown.status).toBe(400)
    expect(thrown.type).toBe(CLIENT_TYPE[c.client])
    expect(thrown.message).toContain(UPSTREAM_MESSAGE[c.provider])
    // The whole envelope is the client's, not the provider's passed through.
    expect(thrown.body).toEqual(ENVELOPE[c.client])
  })
})
