/**
 * Issue 17, acceptance 1: every client dialect (Chat Completions, Responses, Messages, generateContent, each
 * through its official SDK) × every channel protocol (openai, a chat-only openai, anthropic, gemini), plain and
 * streamed, with text, a tool round trip, parallel tool calls, an image, a JSON-schema answer and a thinking
 * request (the table is contract-cells.ts), plus thinking in a tool loop on Anthropic; each on SQLite and on
 * PostgreSQL (the usage row and its cost are checked on both).
 */
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { testDbKinds } from '../support/test-databases.ts'
import { chatClient } from './chat-client.ts'
import type { ClientAdapter, ClientName } from './client-turn.ts'
import { CELLS, runCell, THINKING_REPLAY_CELLS } from './contract-cells.ts'
import { type ContractGateway, startContractGateway } from './contract-fixture.ts'
import { generateClient } from './generate-client.ts'
import { messagesClient } from './messages-client.ts'
import { responsesClient } from './responses-client.ts'

const kinds = await testDbKinds()

describe.each(kinds)('translation contract (%s)', (kind) => {
  let g: ContractGateway
  let clients: Record<ClientName, ClientAdapter>

  beforeAll(async () => {
    g = await startContractGateway(kind)
    const openai = new OpenAI({ baseURL: `${g.f.gateway}/v1`, apiKey: g.f.key, maxRetries: 0 })
    clients = {
      chat: chatClient(openai),
      responses: responsesClient(openai),
      messages: messagesClient(new Anthropic({ baseURL: g.f.gateway, apiKey: g.f.key, maxRetries: 0 })),
      generate: generateClient(
        new GoogleGenAI({
          apiKey: g.f.key,
          httpOptions: { baseUrl: g.f.gateway, retryOptions: { attempts: 1 } },
        }),
      ),
    }
  })
  afterAll(async () => g?.close())

  it.each([...CELLS, ...THINKING_REPLAY_CELLS])('$name', async (cell) => runCell(g, clients, cell))
})
