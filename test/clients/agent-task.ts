/**
 * One coding-agent CLI completing a task through the gateway against the fake upstream's scripted agent
 * (test/fake-upstream/agent-script.ts): the CLI asks, the agent answers with the CLI's own file-writing tool call,
 * the CLI runs it and sends the result back, the agent finishes. Then: the file, the exit code, what the upstream
 * received, and the bill (one usage row per upstream call, priced from the upstream's own usage, and the user's
 * balance debited by their sum).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { expect } from 'vitest'
import { toBig, toNum } from '../../src/infra/db/convert-row-values.ts'
import {
  AGENT_DONE_TEXT,
  type AgentCall,
  agentCalls,
  type AgentDialect,
  agentTaskPrompt,
} from '../fake-upstream/agent-script.ts'
import { priceModel, type ProxyFixture, waitForOutcomes } from '../support/proxy-fixture.ts'
import { configureCli } from './configure-cli.ts'
import type { CliId, InstalledCli } from './install-cli.ts'
import { type CliRun, describeRun, runCli } from './run-cli.ts'

/** USD per 1M tokens; whole nano-USD per token, so every expected cost is exact. */
const PRICES = { input_token: 3, cache_read_token: 0.3, output_token: 15 }
const NANO_PER_TOKEN = { input: 3000n, cacheRead: 300n, output: 15000n }

/** A run of one CLI stays well under a minute; a stuck one is killed then. */
export const CLI_RUN_TIMEOUT_MS = 50_000

export interface AgentChannel {
  provider: 'openai' | 'anthropic' | 'gemini'
  /** Starts with `agent-` (the fake upstream's scripted agent) and is served by this channel only. */
  model: string
  /** OpenAI channels: false for a chat-only server (no /v1/responses). */
  responsesApi?: boolean
}

const BASE_PATH = { openai: '/v1', anthropic: '/v1', gemini: '/v1beta' }

/** Adds a channel serving only `channel.model` to the fixture's group and prices the model. */
export async function addAgentChannel(f: ProxyFixture, channel: AgentChannel): Promise<string> {
  const id = await f.addChannel({
    name: `agent ${channel.provider} ${channel.model}`,
    provider: channel.provider,
    base_url: `${f.upstream.url}${BASE_PATH[channel.provider]}`,
    api_key: `sk-upstream-${channel.provider}-agent`,
    models: [channel.model],
    ...(channel.responsesApi === undefined ? {} : { responses_api: channel.responsesApi }),
  })
  await priceModel(f, channel.model, PRICES)
  return id
}

export interface AgentTaskResult {
  run: CliRun
  file: string
  content: string
  /** The file's text, or null when the CLI did not create it. */
  written: string | null
  /** The scripted agent's answers to this run, oldest first. */
  calls: AgentCall[]
  rows: Array<Record<string, unknown>>
  usedDelta: bigint
  reservedAfter: bigint
}

async function userMoney(f: ProxyFixture): Promise<{ used: bigint; reserved: bigint }> {
  const row = await f.t.tdb.db.db
    .selectFrom('users')
    .select(['used_nano', 'reserved_nano'])
    .where('username', '=', 'user')
    .executeTakeFirstOrThrow()
  return { used: toBig(row.used_nano), reserved: toBig(row.reserved_nano) }
}

async function usageRows(f: ProxyFixture): Promise<Array<Record<string, unknown>>> {
  return f.t.tdb.db.db.selectFrom('usage_logs').selectAll().orderBy('created_at').execute()
}

/** Runs the CLI on the task "create hello.txt" with `model`, through the fixture's gateway. */
export async function runAgentTask(
  f: ProxyFixture,
  cli: Extract<InstalledCli, { ok: true }>,
  model: string,
  upstream: AgentDialect,
): Promise<AgentTaskResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), `cli-${cli.id}-`))
  try {
    const home = path.join(root, 'home')
    const workdir = path.join(root, 'work')
    const tmp = path.join(root, 'tmp')
    for (const dir of [home, workdir, tmp]) mkdirSync(dir, { recursive: true })
    const file = path.join(workdir, 'hello.txt')
    const content = `hello from ${cli.id} through ${model}`
    const callsBefore = agentCalls(f.upstream.url).length
    const outcomesBefore = f.outcomes.length
    const rowsBefore = (await usageRows(f)).length
    const moneyBefore = await userMoney(f)

    const invocation = configureCli(cli.id, {
      gateway: f.gateway,
      key: f.key,
      model,
      prompt: agentTaskPrompt(file, content),
      home,
      workdir,
      upstream,
    })
    const run = await runCli([...cli.command, ...invocation.args], {
      cwd: workdir,
      // The CLIs' temporary files (Gemini CLI's error reports) go with the rest of the run's folder.
      env: { ...invocation.env, TMPDIR: tmp },
      timeoutMs: CLI_RUN_TIMEOUT_MS,
    })
    const calls = agentCalls(f.upstream.url).slice(callsBefore)
    await waitForOutcomes(f, outcomesBefore + calls.length, 10_000).catch(() => {})
    // Whatever else the gateway finished during the run is a request the upstream did not answer.
    await new Promise((r) => setTimeout(r, 200))
    const rows = (await usageRows(f)).slice(rowsBefore)
    const moneyAfter = await userMoney(f)
    return {
      run,
      file,
      content,
      written: existsSync(file) ? readFileSync(file, 'utf8') : null,
      calls,
      rows,
      usedDelta: moneyAfter.used - moneyBefore.used,
      reservedAfter: moneyAfter.reserved,
    }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

const UPSTREAM_PATH: Record<AgentDialect, RegExp> = {
  'openai-chat': /^\/v1\/chat\/completions$/,
  'openai-responses': /^\/v1\/responses$/,
  'anthropic-messages': /^\/v1\/messages$/,
  'gemini-generate': /^\/v1beta\/models\/[^/:]+:(streamGenerateContent|generateContent)$/,
}

export interface ExpectedTask {
  cli: CliId
  /** The dialect the upstream must have been spoken to in. */
  upstream: AgentDialect
  channelId: string
  model: string
}

/** Asserts the task was done (file, exit code, tool ids crossed) and billed once per upstream call. */
export function expectTaskDone(result: AgentTaskResult, expected: ExpectedTask): void {
  const context = `${expected.cli} on ${expected.model} (${expected.upstream} upstream)\n${describeRun(result.run)}\nagent calls: ${JSON.stringify(result.calls, null, 1)}`
  expect(result.run.timedOut, context).toBe(false)
  expect(result.run.code, context).toBe(0)
  expect(result.written, context).toBe(result.content)

  // The upstream got the CLI's requests in the channel's own dialect: one tool call, then after its result the
  // final answer (side requests, if any, are answered with a short text).
  const { calls } = result
  for (const call of calls) {
    expect(call.dialect, context).toBe(expected.upstream)
    expect(call.path, context).toMatch(UPSTREAM_PATH[expected.upstream])
    expect(call.model, context).toBe(expected.model)
  }
  const tool = calls.filter((c) => c.kind === 'tool')
  const final = calls.filter((c) => c.kind === 'final')
  expect(tool.length, context).toBe(1)
  expect(final.length, context).toBeGreaterThanOrEqual(1)
  // The tool result the upstream received answers the call it made: the id it gave (mapped through the
  // gateway and the CLI and back), or for Gemini, which gives no id, the function's name.
  const answered = final[0]
  if (tool[0].callId === undefined) expect(answered.resultName, context).toBe(tool[0].toolName)
  else expect(answered.resultId, context).toBe(tool[0].callId)
  expect(result.run.stdout, context).toContain(AGENT_DONE_TEXT)

  // Billed once: one usage row per upstream call, each priced from that call's own usage, summed on the balance.
  // A request the translator refused (a 400 with a usage row at cost 0, nothing sent upstream) would be a row
  // without a call, so this also shows that every request the CLI sent on its settings translated, even one
  // whose 400 the CLI shrugged off (a side request it can do without).
  expect(result.rows.length, context).toBe(calls.length)
  const expectedRows = calls
    .map((c) => ({
      // A usage row's input_tokens is the whole prompt, cache reads included (src/billing/settlement.ts).
      input: c.usage.uncachedInput + c.usage.cacheRead,
      cacheRead: c.usage.cacheRead,
      output: c.usage.output,
      cost:
        BigInt(c.usage.uncachedInput) * NANO_PER_TOKEN.input +
        BigInt(c.usage.cacheRead) * NANO_PER_TOKEN.cacheRead +
        BigInt(c.usage.output) * NANO_PER_TOKEN.output,
    }))
    .sort(byTokens)
  const billedRows = result.rows
    .map((r) => ({
      input: toNum(r.input_tokens),
      cacheRead: toNum(r.cache_read_tokens),
      output: toNum(r.output_tokens),
      cost: toBig(r.cost_nano),
    }))
    .sort(byTokens)
  expect(billedRows, context).toEqual(expectedRows)
  for (const row of result.rows) {
    expect(row.model, context).toBe(expected.model)
    expect(row.channel_id, context).toBe(expected.channelId)
    expect(toNum(row.status), context).toBe(200)
    expect(row.usage_source, context).toBe('reported')
  }
  const total = expectedRows.reduce((sum, r) => sum + r.cost, 0n)
  expect(total, context).toBeGreaterThan(0n)
  expect(result.usedDelta, context).toBe(total)
  expect(result.reservedAfter, context).toBe(0n)
}

function byTokens(a: { input: number; output: number }, b: { input: number; output: number }): number {
  return a.input - b.input || a.output - b.output
}
