import { describe, expect, it } from 'vitest'
import {
  EXACT_SURFACE_PATHS,
  MODEL_ACTION_PROTOCOLS,
  modelListProtocol,
  parseModelAction,
  protocols,
  readOutputLimit,
} from './protocols.ts'
import { PROTOCOL_IDS } from './protocol-adapter.ts'

describe('protocols', () => {
  it('has one adapter per protocol id, each answering for its own surfaces', () => {
    for (const id of PROTOCOL_IDS) {
      expect(protocols[id].id).toBe(id)
      for (const surface of Object.values(protocols[id].surfaces)) expect(surface.protocol).toBe(id)
      expect(protocols[id].defaultSurface.protocol).toBe(id)
    }
  })

  it('serves OpenAI and Anthropic surfaces at exact paths and Gemini by model:action', () => {
    expect(EXACT_SURFACE_PATHS.get('/v1/chat/completions')?.protocol).toBe('openai')
    expect(EXACT_SURFACE_PATHS.get('/v1/messages')?.protocol).toBe('anthropic')
    expect(EXACT_SURFACE_PATHS.get('/v1/messages/count_tokens')?.free).toBe(true)
    expect(MODEL_ACTION_PROTOCOLS.map((p) => p.paths.prefix)).toEqual(['/v1beta/models/'])
    const found = parseModelAction(protocols.gemini, 'gemini-2.5-pro:streamGenerateContent')
    expect(found?.model).toBe('gemini-2.5-pro')
    expect(found?.surface.streamKind).toBe('gemini')
    expect(parseModelAction(protocols.gemini, 'gemini-2.5-pro:explode')).toBeNull()
    expect(parseModelAction(protocols.gemini, ':generateContent')).toBeNull()
  })

  it('lists /v1/models in Anthropic shape only for Anthropic clients', () => {
    expect(modelListProtocol({ 'anthropic-version': '2023-06-01' }).id).toBe('anthropic')
    expect(modelListProtocol({}).id).toBe('openai')
  })

  it("lists every reachable model whatever its channel protocol (issue 17); Gemini leaves out others' embeddings", () => {
    const models = [
      { id: 'claude-x', provider: 'anthropic' as const },
      { id: 'gemini-embed', provider: 'gemini' as const },
      { id: 'gpt-x', provider: 'openai' as const },
      { id: 'text-embed-x', provider: 'openai' as const },
    ]
    expect(protocols.openai.listModels(models)).toMatchObject({ data: [{}, {}, {}, {}] })
    const entry = (id: string) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: '1970-01-01T00:00:00Z',
    })
    expect(protocols.anthropic.listModels(models)).toEqual({
      data: ['claude-x', 'gemini-embed', 'gpt-x', 'text-embed-x'].map(entry),
      has_more: false,
      first_id: 'claude-x',
      last_id: 'text-embed-x',
    })
    const generate = ['generateContent', 'countTokens']
    expect(protocols.gemini.listModels(models)).toEqual({
      models: [
        { name: 'models/claude-x', displayName: 'claude-x', supportedGenerationMethods: generate },
        {
          name: 'models/gemini-embed',
          displayName: 'gemini-embed',
          supportedGenerationMethods: ['embedContent', 'batchEmbedContents'],
        },
        { name: 'models/gpt-x', displayName: 'gpt-x', supportedGenerationMethods: generate },
      ],
    })
  })

  it('builds the upstream path, the stream query and the credentials of each protocol', () => {
    const chat = protocols.openai.surfaces['chat/completions']
    expect(protocols.openai.upstreamPath(chat, 'gpt-x')).toBe('chat/completions')
    const gen = protocols.gemini.surfaces.generateContent
    expect(protocols.gemini.upstreamPath(gen, 'a/b')).toBe('models/a%2Fb:generateContent')
    expect(protocols.gemini.streamQuery).toEqual({ alt: 'sse' })
    expect(protocols.openai.authHeaders('k')).toEqual({ authorization: 'Bearer k' })
    expect(protocols.anthropic.authHeaders('k')).toMatchObject({ 'x-api-key': 'k' })
    expect(protocols.anthropic.clientOverridable).toEqual(['anthropic-version'])
    expect(protocols.gemini.authHeaders('k')).toEqual({ 'x-goog-api-key': 'k' })
  })
})

describe('readOutputLimit', () => {
  it.each([
    [null, { maxTokens: null, n: 1 }],
    [
      { max_tokens: 10, max_completion_tokens: 20 },
      { maxTokens: 10, n: 1 },
    ],
    [
      { max_tokens: -1, max_completion_tokens: 20 },
      { maxTokens: 20, n: 1 },
    ],
    [{ max_output_tokens: 7 }, { maxTokens: 7, n: 1 }],
    [{ generationConfig: { maxOutputTokens: 5, candidateCount: 3 } }, { maxTokens: 5, n: 3 }],
    [
      { max_tokens: 1.5, n: 1000 },
      { maxTokens: null, n: 128 },
    ],
    [
      { n: 'x', generationConfig: { candidateCount: 4 } },
      { maxTokens: null, n: 1 },
    ],
    [
      { n: null, generationConfig: { candidateCount: 4 } },
      { maxTokens: null, n: 4 },
    ],
    [{ generationConfig: 'x' }, { maxTokens: null, n: 1 }],
  ])('reads %j as %j', (json, expected) => {
    expect(readOutputLimit(json as Record<string, unknown> | null)).toEqual(expected)
  })
})
