import type { JsonObject } from '../../../src/protocol/translate/internal-model.ts'
import { TranslationRefusal } from '../../../src/protocol/translate/translation-refusal.ts'

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
  // Codex 0.171 sends its window, session and turn ids on every request (no setting turns it off).
  client_metadata: {
    'x-codex-window-id': 'w1',
    session_id: 's1',
    thread_id: 't1',
    turn_id: 'u1',
    'x-codex-turn-metadata': '{"cwd":"/tmp"}',
  },
}

type Ev = [string, JsonObject]

/** Wire text of a recorded Responses stream: `event:` and `data:` lines with sequence numbers from 0. */
function wire(events: Ev[]): string {
  return events
    .map(
      ([type, data], i) =>
        `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: i })}\n\n`,
    )
    .join('')
}

const RESP = { id: 'resp_abc', object: 'response', created_at: 1700000000, model: 'gpt-5.1', output: [] }
const USAGE = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1000 },
  output_tokens: 300,
  output_tokens_details: { reasoning_tokens: 120 },
  total_tokens: 1500,
}

/** Reasoning (two summary parts, encrypted content) then a text answer with a multi-byte character. */
export const STREAM_REASONING_TEXT = wire([
  ['response.created', { response: { ...RESP, status: 'in_progress' } }],
  ['response.in_progress', { response: { ...RESP, status: 'in_progress' } }],
  ['response.output_item.added', { output_index: 0, item: { id: 'rs_1', type: 'reasoning', summary: [] } }],
  [
    'response.reasoning_summary_part.added',
    { item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } },
  ],
  [
    'response.reasoning_summary_text.delta',
    { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: '**Plan** first' },
  ],
  [
    'response.reasoning_summary_text.delta',
    { item_id: 'rs_1', output_index: 0, summary_index: 0, delta: ' step' },
  ],
  [
    'response.reasoning_summary_text.done',
    { item_id: 'rs_1', output_index: 0, summary_index: 0, text: '**Plan** first step' },
  ],
  [
    'response.reasoning_summary_part.added',
    { item_id: 'rs_1', output_index: 0, summary_index: 1, part: { type: 'summary_text', text: '' } },
  ],
  [
    'response.reasoning_summary_text.delta',
    { item_id: 'rs_1', output_index: 0, summary_index: 1, delta: 'then answer' },
  ],
  [
    'response.output_item.done',
    {
      output_index: 0,
      item: {
        id: 'rs_1',
        type: 'reasoning',
        summary: [
          { type: 'summary_text', text: '**Plan** first step' },
          { type: 'summary_text', text: 'then answer' },
        ],
        encrypted_content: 'gAAAAABoENCRYPTED==',
      },
    },
  ],
  [
    'response.output_item.added',
    {
      output_index: 1,
      item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    },
  ],
  [
    'response.content_part.added',
    {
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    },
  ],
  [
    'response.output_text.delta',
    { item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'Grüße, ', logprobs: [] },
  ],
  [
    'response.output_text.delta',
    { item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'world 🌍', logprobs: [] },
  ],
  [
    'response.output_text.done',
    { item_id: 'msg_1', output_index: 1, content_index: 0, text: 'Grüße, world 🌍', logprobs: [] },
  ],
  [
    'response.content_part.done',
    {
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      part: { type: 'output_text', text: 'Grüße, world 🌍', annotations: [] },
    },
  ],
  [
    'response.output_item.done',
    {
      output_index: 1,
      item: {
        id: 'msg_1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Grüße, world 🌍', annotations: [] }],
      },
    },
  ],
  ['response.completed', { response: { ...RESP, status: 'completed', usage: USAGE } }],
])

const call = (
  oi: number,
  id: string,
  callId: string,
  name: string,
  args: string,
  status: string,
): JsonObject => ({
  output_index: oi,
  item: { id, type: 'function_call', status, call_id: callId, name, arguments: args },
})

/** Two parallel calls with fragmented arguments. */
export const STREAM_PARALLEL_CALLS = wire([
  ['response.created', { response: { ...RESP, status: 'in_progress' } }],
  ['response.in_progress', { response: { ...RESP, status: 'in_progress' } }],
  ['response.output_item.added', call(0, 'fc_1', 'call_1', 'get_weather', '', 'in_progress')],
  ['response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 0, delta: '{"city":' }],
  ['response.function_call_arguments.delta', { item_id: 'fc_1', output_index: 0, delta: '"Paris"}' }],
  [
    'response.function_call_arguments.done',
    { item_id: 'fc_1', output_index: 0, arguments: '{"city":"Paris"}' },
  ],
  ['response.output_item.done', call(0, 'fc_1', 'call_1', 'get_weather', '{"city":"Paris"}', 'completed')],
  ['response.output_item.added', call(1, 'fc_2', 'call_2', 'get_weather', '', 'in_progress')],
  ['response.function_call_arguments.delta', { item_id: 'fc_2', output_index: 1, delta: '{"ci' }],
  ['response.function_call_arguments.delta', { item_id: 'fc_2', output_index: 1, delta: 'ty":"Tōkyō"}' }],
  [
    'response.function_call_arguments.done',
    { item_id: 'fc_2', output_index: 1, arguments: '{"city":"Tōkyō"}' },
  ],
  ['response.output_item.done', call(1, 'fc_2', 'call_2', 'get_weather', '{"city":"Tōkyō"}', 'completed')],
  ['response.completed', { response: { ...RESP, status: 'completed', usage: USAGE } }],
])

/** Text cut by the output limit: `response.incomplete` with its usage. */
export const STREAM_INCOMPLETE = wire([
  ['response.created', { response: { ...RESP, status: 'in_progress' } }],
  [
    'response.output_item.added',
    {
      output_index: 0,
      item: { id: 'msg_2', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    },
  ],
  [
    'response.content_part.added',
    {
      item_id: 'msg_2',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    },
  ],
  [
    'response.output_text.delta',
    { item_id: 'msg_2', output_index: 0, content_index: 0, delta: 'Once upon', logprobs: [] },
  ],
  [
    'response.output_text.done',
    { item_id: 'msg_2', output_index: 0, content_index: 0, text: 'Once upon', logprobs: [] },
  ],
  [
    'response.content_part.done',
    {
      item_id: 'msg_2',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: 'Once upon', annotations: [] },
    },
  ],
  [
    'response.output_item.done',
    {
      output_index: 0,
      item: {
        id: 'msg_2',
        type: 'message',
        status: 'incomplete',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Once upon', annotations: [] }],
      },
    },
  ],
  [
    'response.incomplete',
    {
      response: {
        ...RESP,
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        usage: USAGE,
      },
    },
  ],
])

/** A call whose arguments are cut by an `error` event mid-block. */
export const STREAM_ERROR_MID_BLOCK = wire([
  ['response.created', { response: { ...RESP, status: 'in_progress' } }],
  ['response.output_item.added', call(0, 'fc_9', 'call_9', 'write', '', 'in_progress')],
  ['response.function_call_arguments.delta', { item_id: 'fc_9', output_index: 0, delta: '{"path":"a' }],
  ['error', { code: 'rate_limit_exceeded', message: 'Rate limit reached', param: null }],
])

/** A freeform (custom) apply_patch call as GPT-5 streams it. */
export const STREAM_CUSTOM_CALL = wire([
  ['response.created', { response: { ...RESP, status: 'in_progress' } }],
  [
    'response.output_item.added',
    {
      output_index: 0,
      item: {
        id: 'ctc_1',
        type: 'custom_tool_call',
        status: 'in_progress',
        call_id: 'call_p',
        name: 'apply_patch',
        input: '',
      },
    },
  ],
  [
    'response.custom_tool_call_input.delta',
    { item_id: 'ctc_1', output_index: 0, delta: '*** Begin Patch\n' },
  ],
  [
    'response.custom_tool_call_input.delta',
    { item_id: 'ctc_1', output_index: 0, delta: '+ "quoted"\n*** End Patch' },
  ],
  [
    'response.custom_tool_call_input.done',
    { item_id: 'ctc_1', output_index: 0, input: '*** Begin Patch\n+ "quoted"\n*** End Patch' },
  ],
  [
    'response.output_item.done',
    {
      output_index: 0,
      item: {
        id: 'ctc_1',
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'call_p',
        name: 'apply_patch',
        input: '*** Begin Patch\n+ "quoted"\n*** End Patch',
      },
    },
  ],
  ['response.completed', { response: { ...RESP, status: 'completed', usage: USAGE } }],
])

export const RECORDED_STREAMS: Record<string, string> = {
  reasoning_text: STREAM_REASONING_TEXT,
  parallel_calls: STREAM_PARALLEL_CALLS,
  incomplete: STREAM_INCOMPLETE,
  error_mid_block: STREAM_ERROR_MID_BLOCK,
  custom_call: STREAM_CUSTOM_CALL,
}
