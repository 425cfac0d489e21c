/**
 * How each coding-agent CLI is pointed at the gateway (as docs/clients.md tells users) and run offline and
 * non-interactively: a fresh HOME per run holds its settings; update checks, telemetry, error reports and other
 * non-essential traffic are switched off; retries are off so a failure shows at once.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { AgentDialect } from '../fake-upstream/agent-script.ts'
import type { CliId } from './install-cli.ts'

export interface CliTask {
  /** http://127.0.0.1:PORT of the gateway. */
  gateway: string
  key: string
  model: string
  prompt: string
  /** A fresh, empty folder used as HOME. */
  home: string
  /** The working folder the CLI runs in (the file is created there). */
  workdir: string
  /**
   * The dialect the gateway speaks to the model's channel. Each CLI runs on its defaults, except where a default
   * field cannot be translated to that dialect (docs/clients.md lists these settings per CLI, see each below).
   */
  upstream: AgentDialect
}

export interface CliInvocation {
  args: string[]
  env: Record<string, string>
}

/** Writes the CLI's settings under `task.home` and returns its arguments and environment. */
export function configureCli(id: CliId, task: CliTask): CliInvocation {
  switch (id) {
    case 'claude-code':
      return configureClaudeCode(task)
    case 'codex':
      return configureCodex(task)
    case 'gemini-cli':
      return configureGeminiCli(task)
  }
}

function common(task: CliTask): Record<string, string> {
  return { HOME: task.home, TERM: 'dumb', NO_COLOR: '1', LANG: 'C.UTF-8' }
}

function configureClaudeCode(task: CliTask): CliInvocation {
  return {
    // -p: print mode (one task, then exit). acceptEdits lets the Write tool create the file in the working folder
    // without asking; the other tools stay behind their prompts, which print mode denies.
    args: [
      '-p',
      task.prompt,
      '--model',
      task.model,
      '--permission-mode',
      'acceptEdits',
      '--max-turns',
      '4',
      '--output-format',
      'json',
    ],
    env: {
      ...common(task),
      // docs/clients.md: the base URL without /v1 and the key as ANTHROPIC_AUTH_TOKEN (Bearer).
      ANTHROPIC_BASE_URL: task.gateway,
      ANTHROPIC_AUTH_TOKEN: task.key,
      // Every model choice (the small/fast one for background work included) is the one the channel serves.
      ANTHROPIC_MODEL: task.model,
      ANTHROPIC_DEFAULT_OPUS_MODEL: task.model,
      ANTHROPIC_DEFAULT_SONNET_MODEL: task.model,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: task.model,
      ANTHROPIC_SMALL_FAST_MODEL: task.model,
      CLAUDE_CODE_SUBAGENT_MODEL: task.model,
      // Offline: no update checks, telemetry, error reports or other traffic besides the model calls.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
      API_TIMEOUT_MS: '30000',
      // Nothing else, on every channel: what Claude Code sends by default (context_management clearing old
      // thinking, thinking.display, a defer_loading tool, output_config on a system turn) all translates.
    },
  }
}

function configureCodex(task: CliTask): CliInvocation {
  const codexHome = path.join(task.home, '.codex')
  mkdirSync(codexHome, { recursive: true })
  // docs/clients.md: a model provider of its own (not `openai`), base URL with /v1, the key from env_key.
  writeFileSync(
    path.join(codexHome, 'config.toml'),
    [
      `model = ${JSON.stringify(task.model)}`,
      'model_provider = "any-gateway"',
      'check_for_update_on_startup = false',
      // Reached through translation (an Anthropic or Gemini channel, or a chat-only OpenAI-compatible one): the
      // `web_search` tool runs inside OpenAI and the `namespace` tool (multi_agent_v1) has no equivalent at
      // another provider, and the translator refuses both, so Codex is told not to offer them.
      ...(task.upstream === 'openai-responses'
        ? []
        : ['web_search = "disabled"', '', '[features]', 'multi_agent = false']),
      '',
      '[analytics]',
      'enabled = false',
      '',
      '[model_providers.any-gateway]',
      'name = "Any Gateway"',
      `base_url = ${JSON.stringify(`${task.gateway}/v1`)}`,
      'env_key = "ANY_GATEWAY_API_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  )
  return {
    // exec: one task, then exit. No approvals and no sandbox: the test's temporary folder is the sandbox.
    args: [
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      '--cd',
      task.workdir,
      task.prompt,
    ],
    env: { ...common(task), CODEX_HOME: codexHome, ANY_GATEWAY_API_KEY: task.key },
  }
}

function configureGeminiCli(task: CliTask): CliInvocation {
  const dir = path.join(task.home, '.gemini')
  mkdirSync(dir, { recursive: true })
  // docs/clients.md: API-key authentication, chosen in settings.json.
  writeFileSync(
    path.join(dir, 'settings.json'),
    JSON.stringify(
      {
        security: { auth: { selectedType: 'gemini-api-key' } },
        privacy: { usageStatisticsEnabled: false },
        telemetry: { enabled: false },
        general: { disableAutoUpdate: true, disableUpdateNag: true },
        // Reached through translation: the model's own generation settings, Gemini CLI's chat defaults without
        // topK (the `chat-base` settings every other model inherits set topK: 64). The translator refuses
        // generationConfig.topK towards OpenAI, which has no top-k sampling, and towards Anthropic, which does
        // not take top_k with thinking (which includeThoughts turns on).
        ...(task.upstream !== 'gemini-generate'
          ? {
              modelConfigs: {
                customAliases: {
                  [task.model]: {
                    modelConfig: {
                      model: task.model,
                      generateContentConfig: {
                        temperature: 1,
                        topP: 0.95,
                        thinkingConfig: { includeThoughts: true },
                      },
                    },
                  },
                },
              },
            }
          : {}),
      },
      null,
      2,
    ),
  )
  return {
    // -p: headless mode. yolo approves the write_file call (headless mode would otherwise refuse it).
    args: ['-p', task.prompt, '-m', task.model, '--skip-trust', '--approval-mode', 'yolo'],
    env: {
      ...common(task),
      // docs/clients.md: the base URL without /v1beta and the key as GEMINI_API_KEY.
      GOOGLE_GEMINI_BASE_URL: task.gateway,
      GEMINI_API_KEY: task.key,
    },
  }
}
