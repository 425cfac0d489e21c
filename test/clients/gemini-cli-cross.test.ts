import { describeCliTasks } from './describe-cli-tasks.ts'

/**
 * Issue 17, acceptance 2: Gemini CLI (generateContent) completes a task on a model only an OpenAI channel serves,
 * and on one only an Anthropic channel serves; translated, with the model's generation settings without topK.
 */
describeCliTasks('gemini-cli', 'Gemini CLI completes a task through the gateway', [
  {
    name: 'on a Gemini channel (same protocol, passed through)',
    channel: { provider: 'gemini', model: 'agent-gemini-native' },
    upstream: 'gemini-generate',
  },
  {
    name: 'on a model served only by an OpenAI channel (generateContent translated to Chat Completions)',
    channel: { provider: 'openai', model: 'agent-gpt-for-gemini' },
    upstream: 'openai-chat',
  },
  {
    name: 'on a model served only by an Anthropic channel (generateContent translated to Messages)',
    channel: { provider: 'anthropic', model: 'agent-claude-for-gemini' },
    upstream: 'anthropic-messages',
  },
])
