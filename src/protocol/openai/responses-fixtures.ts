import type { JsonObject } from '../translate/internal-model.ts'
import { TranslationRefusal } from '../translate/translation-refusal.ts'

/** Fixtures of the Responses codec's tests: wire JSON written from platform.openai.com/docs/api-reference/responses. */

/** The TranslationRefusal `fn` throws (fails when it throws none). */
export function refusalOf(fn: () => unknown): TranslationRefusal {
  try {
    fn()
  } catch (err) {
    if (err instanceof TranslationRefusal) return err
    throw err
  }
  throw new Error('expected a TranslationRefusal')
}

/** A Codex CLI turn as it arrives (store:false, include, prompt_cache_key, reasoning items with encrypted content). */
export const CODEX_BODY: JsonObject = {
  model: 'gpt-5.1-codex',
  instructions: 'You are Codex, a coding agent.',
  input: [
    {
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: '<permissions>…</permissions>' }],
    },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context/>' }] },
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'create hello.txt' }] },
    {
      type: 'reasoning',
      id: 'rs_01',
      summary: [{ type: 'summary_text', text: 'I will write the file.' }],
      encrypted_content: 'gAAAAABencrypted',
    },
    {
      type: 'function_call',
      id: 'fc_01',
      call_id: 'call_A',
      name: 'shell',
      arguments: '{"command":["bash","-lc","echo hi > hello.txt"]}',
    },
    { type: 'function_call_output', call_id: 'call_A', output: '{"output":"","metadata":{"exit_code":0}}' },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.' }] },
  ],
  tools: [
    {
      type: 'function',
      name: 'shell',
      description: 'Runs a shell command',
      strict: false,
      parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } },
    },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: false,
  reasoning: { effort: 'medium', summary: 'auto' },
  store: false,
  stream: true,
  include: ['reasoning.encrypted_content'],
  prompt_cache_key: 'session-1',
  text: { verbosity: 'medium' },
}
