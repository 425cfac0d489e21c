import { describeCliTasks } from './describe-cli-tasks.ts'

/**
 * Issue 17, acceptance 2: Codex (OpenAI Responses) completes a task on a model only an Anthropic channel serves,
 * on a chat-only OpenAI-compatible channel (no /v1/responses: Responses translated to Chat Completions) and on a
 * model only a Gemini channel serves; translated, with its hosted web search and multi-agent tools switched off.
 */
describeCliTasks('codex', 'Codex completes a task through the gateway', [
  {
    name: 'on an OpenAI channel with /v1/responses (same protocol, passed through)',
    channel: { provider: 'openai', model: 'agent-gpt-responses' },
    upstream: 'openai-responses',
  },
  {
    name: 'on a model served only by an Anthropic channel (Responses translated to Messages)',
    channel: { provider: 'anthropic', model: 'agent-claude-for-codex' },
    upstream: 'anthropic-messages',
  },
  {
    name: 'on a chat-only OpenAI-compatible channel (Responses translated to Chat Completions)',
    channel: { provider: 'openai', model: 'agent-chat-only-for-codex', responsesApi: false },
    upstream: 'openai-chat',
  },
  {
    name: 'on a model served only by a Gemini channel (Responses translated to generateContent)',
    channel: { provider: 'gemini', model: 'agent-gemini-for-codex' },
    upstream: 'gemini-generate',
  },
])
