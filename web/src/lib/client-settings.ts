/**
 * The settings of docs/clients.md, filled in with this gateway's origin, a key and a model. Pure: the Home and
 * Guide pages render these strings, and client-settings.test.ts checks them against the forms in docs/clients.md.
 *
 * Each SDK appends a different path to its base URL, so the base URLs differ on purpose:
 * OpenAI-style clients get `/v1`, the Anthropic and Google GenAI SDKs (and the CLIs built on them) get the bare
 * origin, and the Vercel AI SDK's Anthropic and Google providers get `/v1` and `/v1beta` (their defaults include it).
 */

export type ClientId =
  'curl' | 'openai' | 'anthropic' | 'genai' | 'claude-code' | 'codex' | 'gemini-cli' | 'vercel' | 'langchain'

export type SnippetLanguage = 'sh' | 'ts' | 'python' | 'json' | 'toml'

export interface Snippet {
  /** Stable id, unique within the client (used for test ids and tabs). */
  id: string
  language: SnippetLanguage
  /** Where the snippet goes, when that is a file (shown above it). */
  file?: string
  code: string
}

export interface ClientSettings {
  id: ClientId
  /** The base URL this client is given (what docs/clients.md's table lists for it). */
  baseUrl: string
  /** How the key travels. */
  keyHeader: string
  snippets: Snippet[]
}

export const CLIENT_IDS: ClientId[] = [
  'openai',
  'anthropic',
  'genai',
  'claude-code',
  'codex',
  'gemini-cli',
  'vercel',
  'langchain',
  'curl',
]

export interface SettingsInput {
  /** The gateway's origin, e.g. `https://gateway.example.com` (a trailing slash is dropped). */
  origin: string
  /** The full key, or a placeholder such as `sk-abc…` when the user has not pasted it. */
  apiKey: string
  /** A model the key can use (the gateway translates between protocols, so one model serves every client). */
  model: string
}

/** A shell word in double quotes (keys and URLs are plain, but a pasted value must not break the snippet). */
function dq(s: string): string {
  return `"${s.replace(/(["\\$`])/g, '\\$1')}"`
}

/** A JS / Python / TOML / JSON string literal. */
function js(s: string): string {
  return `'${s.replace(/(['\\])/g, '\\$1')}'`
}
function py(s: string): string {
  return JSON.stringify(s)
}

export function normaliseOrigin(origin: string): string {
  return origin.replace(/\/+$/, '')
}

/** Every client's settings, in the order of CLIENT_IDS. */
export function buildClientSettings(input: SettingsInput): ClientSettings[] {
  const origin = normaliseOrigin(input.origin)
  const key = input.apiKey
  const model = input.model
  const v1 = `${origin}/v1`
  const v1beta = `${origin}/v1beta`
  const prompt = 'Hello'

  const openai: ClientSettings = {
    id: 'openai',
    baseUrl: v1,
    keyHeader: 'Authorization: Bearer',
    snippets: [
      { id: 'env', language: 'sh', code: `export OPENAI_BASE_URL=${v1}\nexport OPENAI_API_KEY=${dq(key)}` },
      {
        id: 'node',
        language: 'ts',
        code: [
          `import OpenAI from 'openai'`,
          `const client = new OpenAI({ baseURL: ${js(v1)}, apiKey: ${js(key)} })`,
          `const reply = await client.chat.completions.create({`,
          `  model: ${js(model)},`,
          `  messages: [{ role: 'user', content: ${js(prompt)} }],`,
          `})`,
          `console.log(reply.choices[0].message.content)`,
        ].join('\n'),
      },
      {
        id: 'python',
        language: 'python',
        code: [
          `from openai import OpenAI`,
          `client = OpenAI(base_url=${py(v1)}, api_key=${py(key)})`,
          `reply = client.chat.completions.create(`,
          `    model=${py(model)},`,
          `    messages=[{"role": "user", "content": ${py(prompt)}}],`,
          `)`,
          `print(reply.choices[0].message.content)`,
        ].join('\n'),
      },
    ],
  }

  const anthropic: ClientSettings = {
    id: 'anthropic',
    baseUrl: origin,
    keyHeader: 'x-api-key',
    snippets: [
      {
        id: 'env',
        language: 'sh',
        code: `export ANTHROPIC_BASE_URL=${origin}\nexport ANTHROPIC_API_KEY=${dq(key)}`,
      },
      {
        id: 'node',
        language: 'ts',
        code: [
          `import Anthropic from '@anthropic-ai/sdk'`,
          `const client = new Anthropic({ baseURL: ${js(origin)}, apiKey: ${js(key)} })`,
          `const message = await client.messages.create({`,
          `  model: ${js(model)},`,
          `  max_tokens: 1024,`,
          `  messages: [{ role: 'user', content: ${js(prompt)} }],`,
          `})`,
        ].join('\n'),
      },
      {
        id: 'python',
        language: 'python',
        code: [
          `from anthropic import Anthropic`,
          `client = Anthropic(base_url=${py(origin)}, api_key=${py(key)})`,
          `message = client.messages.create(`,
          `    model=${py(model)},`,
          `    max_tokens=1024,`,
          `    messages=[{"role": "user", "content": ${py(prompt)}}],`,
          `)`,
        ].join('\n'),
      },
    ],
  }

  const genai: ClientSettings = {
    id: 'genai',
    baseUrl: origin,
    keyHeader: 'x-goog-api-key',
    snippets: [
      {
        id: 'env',
        language: 'sh',
        code: `export GOOGLE_GEMINI_BASE_URL=${origin}\nexport GEMINI_API_KEY=${dq(key)}`,
      },
      {
        id: 'node',
        language: 'ts',
        code: [
          `import { GoogleGenAI } from '@google/genai'`,
          `const ai = new GoogleGenAI({ apiKey: ${js(key)}, httpOptions: { baseUrl: ${js(origin)} } })`,
          `const result = await ai.models.generateContent({ model: ${js(model)}, contents: ${js(prompt)} })`,
          `console.log(result.text)`,
        ].join('\n'),
      },
      {
        id: 'python',
        language: 'python',
        code: [
          `from google import genai`,
          `from google.genai import types`,
          `client = genai.Client(api_key=${py(key)}, http_options=types.HttpOptions(base_url=${py(origin)}))`,
          `result = client.models.generate_content(model=${py(model)}, contents=${py(prompt)})`,
          `print(result.text)`,
        ].join('\n'),
      },
    ],
  }

  const claudeCode: ClientSettings = {
    id: 'claude-code',
    baseUrl: origin,
    keyHeader: 'Authorization: Bearer',
    snippets: [
      {
        id: 'settings',
        language: 'json',
        file: '~/.claude/settings.json',
        code: JSON.stringify(
          { env: { ANTHROPIC_BASE_URL: origin, ANTHROPIC_AUTH_TOKEN: key, ANTHROPIC_MODEL: model } },
          null,
          2,
        ),
      },
      {
        id: 'shell',
        language: 'sh',
        code: [
          `export ANTHROPIC_BASE_URL=${origin}`,
          `export ANTHROPIC_AUTH_TOKEN=${dq(key)}`,
          `unset ANTHROPIC_API_KEY`,
          `claude --model ${dq(model)}`,
        ].join('\n'),
      },
    ],
  }

  const codex: ClientSettings = {
    id: 'codex',
    baseUrl: v1,
    keyHeader: 'Authorization: Bearer',
    snippets: [
      {
        id: 'config',
        language: 'toml',
        file: '~/.codex/config.toml',
        code: [
          `model = ${py(model)}`,
          `model_provider = "any-gateway"`,
          ``,
          `[model_providers.any-gateway]`,
          `name = "Any Gateway"`,
          `base_url = ${py(v1)}`,
          `env_key = "ANY_GATEWAY_API_KEY"`,
          `wire_api = "responses"`,
        ].join('\n'),
      },
      { id: 'shell', language: 'sh', code: `export ANY_GATEWAY_API_KEY=${dq(key)}\ncodex` },
    ],
  }

  const geminiCli: ClientSettings = {
    id: 'gemini-cli',
    baseUrl: origin,
    keyHeader: 'x-goog-api-key',
    snippets: [
      {
        id: 'shell',
        language: 'sh',
        code: [
          `export GOOGLE_GEMINI_BASE_URL=${origin}`,
          `export GEMINI_API_KEY=${dq(key)}`,
          `gemini -m ${dq(model)}`,
        ].join('\n'),
      },
      {
        id: 'settings',
        language: 'json',
        file: '~/.gemini/settings.json',
        code: JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }, null, 2),
      },
    ],
  }

  const vercel: ClientSettings = {
    id: 'vercel',
    baseUrl: v1,
    keyHeader: 'Authorization: Bearer / x-api-key / x-goog-api-key',
    snippets: [
      {
        id: 'node',
        language: 'ts',
        code: [
          `import { createOpenAI } from '@ai-sdk/openai'`,
          `import { createAnthropic } from '@ai-sdk/anthropic'`,
          `import { createGoogleGenerativeAI } from '@ai-sdk/google'`,
          `import { generateText } from 'ai'`,
          ``,
          `const openai = createOpenAI({ baseURL: ${js(v1)}, apiKey: ${js(key)} })`,
          `const anthropic = createAnthropic({ baseURL: ${js(v1)}, apiKey: ${js(key)} })`,
          `const google = createGoogleGenerativeAI({ baseURL: ${js(v1beta)}, apiKey: ${js(key)} })`,
          ``,
          `// openai(...) calls the Responses API; openai.chat(...) calls chat completions`,
          `const { text } = await generateText({ model: openai.chat(${js(model)}), prompt: ${js(prompt)} })`,
        ].join('\n'),
      },
    ],
  }

  const langchain: ClientSettings = {
    id: 'langchain',
    baseUrl: v1,
    keyHeader: 'Authorization: Bearer / x-api-key / x-goog-api-key',
    snippets: [
      {
        id: 'python',
        language: 'python',
        code: [
          `from langchain_openai import ChatOpenAI`,
          `from langchain_anthropic import ChatAnthropic`,
          `from langchain_google_genai import ChatGoogleGenerativeAI`,
          ``,
          `openai = ChatOpenAI(model=${py(model)}, base_url=${py(v1)}, api_key=${py(key)})`,
          `claude = ChatAnthropic(model=${py(model)}, base_url=${py(origin)}, api_key=${py(key)})`,
          `gemini = ChatGoogleGenerativeAI(model=${py(model)}, base_url=${py(origin)}, api_key=${py(key)})`,
        ].join('\n'),
      },
      {
        id: 'node',
        language: 'ts',
        code: [
          `import { ChatOpenAI } from '@langchain/openai'`,
          `const model = new ChatOpenAI({`,
          `  model: ${js(model)},`,
          `  apiKey: ${js(key)},`,
          `  configuration: { baseURL: ${js(v1)} },`,
          `})`,
        ].join('\n'),
      },
    ],
  }

  const curl: ClientSettings = {
    id: 'curl',
    baseUrl: v1,
    keyHeader: 'Authorization: Bearer / x-api-key / x-goog-api-key',
    snippets: [
      {
        id: 'openai',
        language: 'sh',
        code: [
          `curl ${origin}/v1/chat/completions \\`,
          `  -H ${dq(`Authorization: Bearer ${key}`)} -H 'content-type: application/json' \\`,
          `  -d '${JSON.stringify({ model, messages: [{ role: 'user', content: prompt }] }).replace(/'/g, `'\\''`)}'`,
        ].join('\n'),
      },
      {
        id: 'anthropic',
        language: 'sh',
        code: [
          `curl ${origin}/v1/messages \\`,
          `  -H ${dq(`x-api-key: ${key}`)} -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \\`,
          `  -d '${JSON.stringify({ model, max_tokens: 256, messages: [{ role: 'user', content: prompt }] }).replace(/'/g, `'\\''`)}'`,
        ].join('\n'),
      },
      {
        id: 'gemini',
        language: 'sh',
        code: [
          `curl '${origin}/v1beta/models/${encodeURIComponent(model).replace(/'/g, '%27')}:generateContent' \\`,
          `  -H ${dq(`x-goog-api-key: ${key}`)} -H 'content-type: application/json' \\`,
          `  -d '${JSON.stringify({ contents: [{ parts: [{ text: prompt }] }] })}'`,
        ].join('\n'),
      },
    ],
  }

  const all = {
    openai,
    anthropic,
    genai,
    'claude-code': claudeCode,
    codex,
    'gemini-cli': geminiCli,
    vercel,
    langchain,
    curl,
  }
  return CLIENT_IDS.map((id) => all[id])
}

/** The placeholder shown until the user pastes the full key: the key's stored prefix, then an ellipsis. */
export function keyPlaceholder(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/[….]+$/, '')
  return p.startsWith('sk-') ? `${p}…` : 'sk-…'
}

/** Whether a pasted value looks like a whole gateway key (not the placeholder or a fragment). */
export function looksLikeFullKey(value: string): boolean {
  const v = value.trim()
  // The gateway's own rule for a client key (src/infra/crypto/api-key.ts).
  return v.length >= 20 && v.length <= 200 && /^sk-[A-Za-z0-9_-]+$/.test(v)
}
