import { describeCliTasks } from './describe-cli-tasks.ts'

/** Issue 17, acceptance 2: Claude Code (Anthropic Messages) completes a task on a model only an OpenAI channel serves. */
describeCliTasks('claude-code', 'Claude Code completes a task through the gateway', [
  {
    name: 'on an Anthropic channel (same protocol, passed through)',
    channel: { provider: 'anthropic', model: 'agent-claude-native' },
    upstream: 'anthropic-messages',
  },
  {
    name: 'on a model served only by an OpenAI channel (Messages translated to Chat Completions)',
    channel: { provider: 'openai', model: 'agent-gpt-for-claude' },
    upstream: 'openai-chat',
  },
])
