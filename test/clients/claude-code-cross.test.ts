import { describeCliTasks } from './describe-cli-tasks.ts'

/**
 * Issue 17, acceptance 2: Claude Code (Anthropic Messages), on its default settings, completes a task on a model
 * only an OpenAI channel serves, and on one only a Gemini channel serves.
 */
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
  {
    name: 'on a model served only by a Gemini channel (Messages translated to generateContent)',
    channel: { provider: 'gemini', model: 'agent-gemini-for-claude' },
    upstream: 'gemini-generate',
  },
])
