import { scriptedAgentReply } from './agent-script.ts'
import { handleAnthropicModels, handleCountTokens, handleMessages } from './anthropic-messages.ts'
import { type FakeProtocol, type FakeRequest, jsonReply, type Reply } from './fake-reply.ts'
import {
  handleCountTokens as handleGeminiCountTokens,
  handleEmbed,
  handleGenerateContent,
  handleGeminiModels,
} from './gemini-generate.ts'
import { handleChatCompletions, handleCompletions } from './openai-chat.ts'
import {
  handleEmbeddings,
  handleImageGenerations,
  handleModerations,
  handleOpenAiModels,
  handleSpeech,
  handleTranscription,
} from './openai-misc.ts'
import { handleResponses } from './openai-responses.ts'
import { providerErrorReply } from './provider-errors.ts'

const GEMINI_PATH = /^\/(?:v1|v1beta|v1alpha)\/models\/([^/:]+)(?::([A-Za-z]+))?$/

/** `{ model, method }` of a Gemini path such as `/v1beta/models/gemini-2.5-flash:generateContent`. */
export function parseGeminiPath(path: string): { model: string; method: string | undefined } | undefined {
  const match = GEMINI_PATH.exec(path)
  if (!match) return undefined
  return { model: decodeURIComponent(match[1]), method: match[2] }
}

/** Which provider's error shape a path speaks. */
export function protocolOf(method: string, path: string, headers: FakeRequest['headers']): FakeProtocol {
  if (path.startsWith('/v1beta/') || path.startsWith('/v1alpha/') || path.includes(':')) return 'gemini'
  if (path.startsWith('/v1/messages')) return 'anthropic'
  if (method === 'GET' && path.startsWith('/v1/models') && headers['anthropic-version'] !== undefined)
    return 'anthropic'
  return 'openai'
}

type Handler = (req: FakeRequest) => Reply

const OPENAI_POST: Record<string, Handler> = {
  '/v1/chat/completions': handleChatCompletions,
  '/v1/completions': handleCompletions,
  '/v1/embeddings': handleEmbeddings,
  '/v1/responses': handleResponses,
  '/v1/images/generations': handleImageGenerations,
  '/v1/audio/transcriptions': handleTranscription,
  '/v1/audio/translations': handleTranscription,
  '/v1/audio/speech': handleSpeech,
  '/v1/moderations': handleModerations,
  '/v1/messages': handleMessages,
  '/v1/messages/count_tokens': handleCountTokens,
}

/** Dispatches a request to its endpoint; unknown endpoints get the provider's 404. */
export function routeRequest(req: FakeRequest, protocol: FakeProtocol): Reply {
  const { method, path } = req
  if (method === 'POST') {
    // Models named `agent-…` get the scripted coding agent of the CLI tests (agent-script.ts).
    const scripted = scriptedAgentReply(req)
    if (scripted) return scripted
    const handler = OPENAI_POST[path]
    if (handler) return handler(req)
    const gemini = parseGeminiPath(path)
    if (gemini) {
      switch (gemini.method ?? '') {
        case 'generateContent':
          return handleGenerateContent(req, gemini.model, false)
        case 'streamGenerateContent':
          return handleGenerateContent(req, gemini.model, true)
        case 'countTokens':
          return handleGeminiCountTokens(req)
        case 'embedContent':
          return handleEmbed(req, false)
        case 'batchEmbedContents':
          return handleEmbed(req, true)
        default:
          break
      }
    }
  } else if (method === 'GET') {
    if (path === '/redirect-target') return jsonReply(200, { redirected: true })
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      return protocol === 'anthropic' ? handleAnthropicModels(req) : handleOpenAiModels(req)
    }
    if (path === '/v1beta/models') return handleGeminiModels(req, undefined)
    const gemini = parseGeminiPath(path)
    if (gemini && gemini.method === undefined) return handleGeminiModels(req, gemini.model)
  }
  return providerErrorReply(protocol, 404, { message: `Unknown endpoint: ${method} ${path}` })
}
