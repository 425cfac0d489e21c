import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  buildClientSettings,
  CLIENT_IDS,
  keyPlaceholder,
  looksLikeFullKey,
  type ClientId,
  type ClientSettings,
} from './client-settings.ts'
import { en, zh } from '../i18n/index.ts'

/**
 * Issue 18 (client guides): every snippet the Home and Guide pages show is docs/clients.md's setting with the
 * documented origin, key and model swapped for the user's. The docs' own blocks are the reference: a documented
 * line, with `https://gateway.example.com` and `sk-…` replaced, must appear verbatim in the built snippet.
 */
const DOCS = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/clients.md'),
  'utf8',
)
const DOC_ORIGIN = 'https://gateway.example.com'
const ORIGIN = 'https://ai.corp.example:8443'
const KEY = 'sk-TestKey0123456789abcdefXYZ'
const MODEL = 'my-model-1'

const settings = buildClientSettings({ origin: `${ORIGIN}/`, apiKey: KEY, model: MODEL })
const byId = (id: ClientId): ClientSettings => {
  const s = settings.find((c) => c.id === id)
  if (!s) throw new Error(`no settings for ${id}`)
  return s
}
const code = (id: ClientId, snippet: string): string => {
  const s = byId(id).snippets.find((x) => x.id === snippet)
  if (!s) throw new Error(`no snippet ${id}/${snippet}`)
  return s.code
}
/** A line of docs/clients.md as it reads for this gateway and key (the docs' `"sk-…"` becomes the quoted key). */
const fromDocs = (line: string): string => {
  expect(DOCS, 'the line is still in docs/clients.md').toContain(line)
  return line.replaceAll(DOC_ORIGIN, ORIGIN).replaceAll('sk-…', KEY)
}

describe('issue 18 client guides: snippets follow docs/clients.md', () => {
  it('covers every client of docs/clients.md, each with the origin, the key and the model', () => {
    expect(settings.map((s) => s.id)).toEqual(CLIENT_IDS)
    expect(new Set(CLIENT_IDS)).toEqual(
      new Set([
        'openai',
        'anthropic',
        'genai',
        'claude-code',
        'codex',
        'gemini-cli',
        'vercel',
        'langchain',
        'curl',
      ]),
    )
    for (const s of settings) {
      const all = s.snippets.map((x) => x.code).join('\n')
      expect(all, s.id).toContain(ORIGIN)
      expect(all, s.id).toContain(KEY)
      expect(all, s.id).toContain(MODEL)
      expect(all, s.id).not.toContain(`${ORIGIN}//`)
      expect(all, s.id).not.toContain('gateway.example.com')
      expect(new Set(s.snippets.map((x) => x.id)).size, s.id).toBe(s.snippets.length)
    }
  })

  it('OpenAI SDK: base URL with /v1', () => {
    expect(byId('openai').baseUrl).toBe(`${ORIGIN}/v1`)
    expect(code('openai', 'env')).toContain(fromDocs('export OPENAI_BASE_URL=https://gateway.example.com/v1'))
    expect(code('openai', 'env')).toContain(`export OPENAI_API_KEY="${KEY}"`)
    expect(code('openai', 'node')).toContain(
      fromDocs("new OpenAI({ baseURL: 'https://gateway.example.com/v1', apiKey: 'sk-…' })"),
    )
    expect(code('openai', 'python')).toContain(
      fromDocs('OpenAI(base_url="https://gateway.example.com/v1", api_key="sk-…")'),
    )
    expect(code('openai', 'node')).toContain(`model: '${MODEL}'`)
  })

  it('Anthropic SDK: base URL without /v1', () => {
    expect(byId('anthropic').baseUrl).toBe(ORIGIN)
    expect(code('anthropic', 'env')).toContain(
      fromDocs('export ANTHROPIC_BASE_URL=https://gateway.example.com\n'),
    )
    expect(code('anthropic', 'node')).toContain(
      fromDocs("new Anthropic({ baseURL: 'https://gateway.example.com', apiKey: 'sk-…' })"),
    )
    expect(code('anthropic', 'python')).toContain(
      fromDocs('Anthropic(base_url="https://gateway.example.com", api_key="sk-…")'),
    )
    expect(
      settings
        .flatMap((s) => s.snippets)
        .some((x) => x.code.includes('ANTHROPIC_BASE_URL=' + ORIGIN + '/v1')),
    ).toBe(false)
  })

  it('Google GenAI SDK: base URL without /v1beta, key as x-goog-api-key', () => {
    expect(byId('genai').baseUrl).toBe(ORIGIN)
    expect(byId('genai').keyHeader).toBe('x-goog-api-key')
    expect(code('genai', 'env')).toContain(
      fromDocs('export GOOGLE_GEMINI_BASE_URL=https://gateway.example.com\n'),
    )
    expect(code('genai', 'env')).toContain(`export GEMINI_API_KEY="${KEY}"`)
    expect(code('genai', 'node')).toContain(
      fromDocs(
        "new GoogleGenAI({ apiKey: 'sk-…', httpOptions: { baseUrl: 'https://gateway.example.com' } })",
      ),
    )
    expect(code('genai', 'python')).toContain(
      fromDocs(
        'genai.Client(api_key="sk-…", http_options=types.HttpOptions(base_url="https://gateway.example.com"))',
      ),
    )
  })

  it('Claude Code: ~/.claude/settings.json env with ANTHROPIC_BASE_URL (no /v1) and ANTHROPIC_AUTH_TOKEN', () => {
    const s = byId('claude-code').snippets.find((x) => x.id === 'settings')
    expect(s?.file).toBe('~/.claude/settings.json')
    const json = JSON.parse(s?.code ?? '') as { env: Record<string, string> }
    expect(json.env).toEqual({
      ANTHROPIC_BASE_URL: ORIGIN,
      ANTHROPIC_AUTH_TOKEN: KEY,
      ANTHROPIC_MODEL: MODEL,
    })
    expect(json.env).not.toHaveProperty('ANTHROPIC_API_KEY')
    expect(code('claude-code', 'shell')).toContain(`export ANTHROPIC_AUTH_TOKEN="${KEY}"`)
  })

  it('Codex: a model_providers entry with base_url /v1, env_key and wire_api = "responses"', () => {
    const s = byId('codex').snippets.find((x) => x.id === 'config')
    expect(s?.file).toBe('~/.codex/config.toml')
    for (const line of [
      'model_provider = "any-gateway"',
      '[model_providers.any-gateway]',
      'name = "Any Gateway"',
      'base_url = "https://gateway.example.com/v1"',
      'env_key = "ANY_GATEWAY_API_KEY"',
      'wire_api = "responses"',
    ])
      expect(s?.code.split('\n')).toContain(fromDocs(line))
    expect(s?.code.split('\n')[0]).toBe(`model = "${MODEL}"`)
    expect(code('codex', 'shell')).toBe(`export ANY_GATEWAY_API_KEY="${KEY}"\ncodex`)
  })

  it('Gemini CLI: GOOGLE_GEMINI_BASE_URL without /v1beta and the API-key auth type', () => {
    expect(code('gemini-cli', 'shell')).toBe(
      `export GOOGLE_GEMINI_BASE_URL=${ORIGIN}\nexport GEMINI_API_KEY="${KEY}"\ngemini -m "${MODEL}"`,
    )
    expect(JSON.parse(code('gemini-cli', 'settings'))).toEqual({
      security: { auth: { selectedType: 'gemini-api-key' } },
    })
    expect(DOCS).toContain('"security": {"auth": {"selectedType":\n"gemini-api-key"}}')
  })

  it('Vercel AI SDK: /v1 for OpenAI and Anthropic, /v1beta for Google', () => {
    const c = code('vercel', 'node')
    for (const line of [
      "createOpenAI({ baseURL: 'https://gateway.example.com/v1', apiKey: 'sk-…' })",
      "createAnthropic({ baseURL: 'https://gateway.example.com/v1', apiKey: 'sk-…' })",
      "createGoogleGenerativeAI({ baseURL: 'https://gateway.example.com/v1beta', apiKey: 'sk-…' })",
    ])
      expect(c).toContain(fromDocs(line))
  })

  it('LangChain: ChatOpenAI with /v1, ChatAnthropic and ChatGoogleGenerativeAI with the bare origin', () => {
    const p = code('langchain', 'python')
    expect(p).toContain(fromDocs('base_url="https://gateway.example.com/v1", api_key="sk-…")'))
    expect(p).toContain(`ChatOpenAI(model="${MODEL}", base_url="${ORIGIN}/v1", api_key="${KEY}")`)
    expect(p).toContain(`ChatAnthropic(model="${MODEL}", base_url="${ORIGIN}", api_key="${KEY}")`)
    expect(p).toContain(`ChatGoogleGenerativeAI(model="${MODEL}", base_url="${ORIGIN}", api_key="${KEY}")`)
    expect(code('langchain', 'node')).toContain(
      fromDocs("configuration: { baseURL: 'https://gateway.example.com/v1' },"),
    )
  })

  it('curl: the three surfaces with their own key headers', () => {
    expect(code('curl', 'openai')).toContain(
      fromDocs('curl https://gateway.example.com/v1/chat/completions \\'),
    )
    expect(code('curl', 'openai')).toContain(`-H "Authorization: Bearer ${KEY}"`)
    expect(code('curl', 'anthropic')).toContain(fromDocs('curl https://gateway.example.com/v1/messages \\'))
    expect(code('curl', 'anthropic')).toContain(`-H "x-api-key: ${KEY}" -H 'anthropic-version: 2023-06-01'`)
    expect(code('curl', 'gemini')).toContain(`curl '${ORIGIN}/v1beta/models/${MODEL}:generateContent'`)
    expect(code('curl', 'gemini')).toContain(`-H "x-goog-api-key: ${KEY}"`)
    const body = /-d '(.*)'$/.exec(code('curl', 'openai'))?.[1] ?? ''
    expect(JSON.parse(body)).toMatchObject({ model: MODEL })
  })

  it('a hostile pasted value cannot break out of the shell quoting', () => {
    const evil = buildClientSettings({
      origin: ORIGIN,
      apiKey: 'sk-"$(rm -rf ~)`x`',
      model: "m'; echo pwned",
    })
    const curl = evil.find((s) => s.id === 'curl')?.snippets[0].code ?? ''
    expect(curl).toContain('"Authorization: Bearer sk-\\"\\$(rm -rf ~)\\`x\\`"')
    expect(curl).toContain(`"model":"m'\\''; echo pwned"`)
  })

  it('shows the key prefix as a placeholder and recognises a whole key', () => {
    expect(keyPlaceholder('sk-abc123')).toBe('sk-abc123…')
    expect(keyPlaceholder('sk-abc123…')).toBe('sk-abc123…')
    expect(keyPlaceholder(undefined)).toBe('sk-…')
    expect(looksLikeFullKey(KEY)).toBe(true)
    expect(looksLikeFullKey('sk-abc123…')).toBe(false)
    expect(looksLikeFullKey('sk-short')).toBe(false)
  })

  it('every client, note and snippet label the pages look up exists in English and Chinese', () => {
    const keys = settings.flatMap((c) => [
      `guide.client.${c.id}`,
      `guide.note.${c.id}`,
      ...c.snippets.map((x) => `guide.snippet.${x.id}`),
    ])
    for (const dict of [en, zh] as Record<string, string>[]) expect(keys.filter((k) => !dict[k])).toEqual([])
  })
})
