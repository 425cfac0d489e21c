import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import Anthropic from '@anthropic-ai/sdk'
import { GoogleGenAI } from '@google/genai'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { REPO_ROOT } from '../support/spawn-gateway.ts'

/**
 * docs/clients.md is followed to the letter: its curl commands run as written, and the official SDKs are pointed at
 * a gateway by nothing but the environment variables it tells users to export.
 */

const DOC = readFileSync(path.join(REPO_ROOT, 'docs', 'clients.md'), 'utf8')
const PLACEHOLDER_URL = 'https://gateway.example.com'

function section(title: string): string {
  const start = DOC.indexOf(`\n## ${title}\n`)
  expect(start, title).toBeGreaterThan(0)
  const end = DOC.indexOf('\n## ', start + 4)
  return DOC.slice(start, end === -1 ? undefined : end)
}
const blocks = (text: string, lang: string) =>
  [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1])

/** `export NAME=value` lines of a section's shell blocks, comments dropped. */
function exportsOf(title: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const block of blocks(section(title), 'sh')) {
    for (const m of block.matchAll(/^export (\w+)=(\S+)/gm)) env[m[1]] = m[2]
  }
  return env
}

describe('docs/clients.md, followed as written', () => {
  let f: ProxyFixture
  const saved = { ...process.env }
  const fill = (text: string) => text.replaceAll(PLACEHOLDER_URL, f.gateway).replaceAll('sk-…', f.key)
  const useEnv = (vars: Record<string, string>) => {
    for (const [k, v] of Object.entries(vars)) process.env[k] = fill(v)
  }

  beforeAll(async () => {
    f = await startProxyFixture('sqlite')
    // The model names the guide's examples use.
    await f.addChannel({
      name: 'guide-anthropic',
      provider: 'anthropic',
      base_url: `${f.upstream.url}/v1`,
      api_key: 'sk-ant-guide-canary-0000',
      models: ['claude-sonnet-4-5'],
    })
  })
  afterAll(async () => {
    process.env = saved
    await f?.close()
  })

  it('runs each curl command of the guide against the gateway', async () => {
    const commands = blocks(section('curl'), 'sh')
      .join('\n')
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .filter((l) => l.startsWith('curl '))
    expect(commands).toHaveLength(3)
    for (const command of commands) {
      const { stdout } = await promisify(execFile)('bash', [
        '-c',
        `${fill(command)} -sS -o /dev/null -w '%{http_code}'`,
      ])
      expect(stdout, command).toBe('200')
    }
  })

  it('the OpenAI SDK reaches the gateway through OPENAI_BASE_URL and OPENAI_API_KEY alone', async () => {
    const vars = exportsOf('OpenAI SDK')
    expect(Object.keys(vars).sort()).toEqual(['OPENAI_API_KEY', 'OPENAI_BASE_URL'])
    useEnv(vars)
    const reply = await new OpenAI({ maxRetries: 0 }).chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
    })
    expect(reply.choices[0].message.content).toBeTruthy()
  })

  it('the Anthropic SDK reaches the gateway through ANTHROPIC_BASE_URL (no /v1) and ANTHROPIC_API_KEY alone', async () => {
    const vars = exportsOf('Anthropic SDK')
    expect(Object.keys(vars).sort()).toEqual(['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'])
    useEnv(vars)
    const message = await new Anthropic({ maxRetries: 0 }).messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hello' }],
    })
    expect(message.content.length).toBeGreaterThan(0)
  })

  it('the Google GenAI SDK reaches the gateway through GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY alone', async () => {
    const vars = exportsOf('Google GenAI SDK')
    expect(Object.keys(vars).sort()).toEqual(['GEMINI_API_KEY', 'GOOGLE_GEMINI_BASE_URL'])
    delete process.env.GOOGLE_API_KEY
    useEnv(vars)
    const result = await new GoogleGenAI({}).models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Hello',
    })
    expect(result.text).toBeTruthy()
  })

  it('gives each tool the base URL form its SDK expects', () => {
    const claude = JSON.parse(blocks(section('Claude Code'), 'json')[0]) as { env: Record<string, string> }
    expect(claude.env).toEqual({ ANTHROPIC_BASE_URL: PLACEHOLDER_URL, ANTHROPIC_AUTH_TOKEN: 'sk-…' })
    const codex = blocks(section('Codex CLI'), 'toml')[0]
    expect(codex).toContain(`base_url = "${PLACEHOLDER_URL}/v1"`)
    expect(codex).toContain('wire_api = "responses"')
    expect(codex).toMatch(/^model_provider = "any-gateway"$/m)
    expect(exportsOf('Gemini CLI')).toEqual({
      GOOGLE_GEMINI_BASE_URL: PLACEHOLDER_URL,
      GEMINI_API_KEY: 'sk-…',
    })
    const vercel = blocks(section('Vercel AI SDK'), 'ts')[0]
    expect(vercel).toContain(`createAnthropic({ baseURL: '${PLACEHOLDER_URL}/v1'`)
    expect(vercel).toContain(`createGoogleGenerativeAI({ baseURL: '${PLACEHOLDER_URL}/v1beta'`)
    expect(vercel).toContain(`createOpenAI({ baseURL: '${PLACEHOLDER_URL}/v1'`)
  })
})
