/**
 * What the bench's upstream answers, as bytes, built once: an OpenAI Chat answer and stream, an Anthropic Messages
 * answer and stream (usage included in each, as the gateway bills it) and each protocol's error envelope. Shared by
 * the Node mock (bench/mock-upstream.mjs) and the nginx configuration that serves the same bytes faster
 * (bench/nginx-mock.ts), so that the two never differ.
 */
import { Buffer } from 'node:buffer'

const TEXT = ['Hello', ' from', ' the', ' bench', ' mock.']
/**
 * The long stream's text (`x-mock-pace: long`): as many content events as a real answer of a few paragraphs, so that
 * CPU per event is not dominated by what a request costs once (auth, admission, settlement, audit).
 */
export const LONG_TEXT_EVENTS = 100
const LONG_TEXT = Array.from({ length: LONG_TEXT_EVENTS }, (_, i) => ` word${i}`)
const USAGE = { input: 12, output: 7 }

function chatAnswer(model) {
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: TEXT.join('') }, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: USAGE.input,
      completion_tokens: USAGE.output,
      total_tokens: USAGE.input + USAGE.output,
    },
  })
}

function chatEvents(model, text = TEXT) {
  const chunk = (choices, extra = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices, ...extra })}\n\n`
  return [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    ...text.map((t) => chunk([{ index: 0, delta: { content: t }, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    chunk([], {
      usage: {
        prompt_tokens: USAGE.input,
        completion_tokens: USAGE.output,
        total_tokens: USAGE.input + USAGE.output,
      },
    }),
    'data: [DONE]\n\n',
  ]
}

function messagesAnswer(model) {
  return JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: TEXT.join('') }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: USAGE.input, output_tokens: USAGE.output },
  })
}

function messagesEvents(model, text = TEXT) {
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`
  return [
    event('message_start', {
      message: {
        id: 'msg_bench',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: USAGE.input, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...text.map((t) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } })),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: USAGE.output },
    }),
    event('message_stop', {}),
  ]
}

/** Everything one surface answers, as bytes. The model named is the bench's; request bodies are never parsed. */
function surface(answer, events, longEvents, error) {
  const eventBuffers = events.map((e) => Buffer.from(e))
  const longBuffers = longEvents.map((e) => Buffer.from(e))
  return {
    answer: Buffer.from(answer),
    events: eventBuffers,
    whole: Buffer.concat(eventBuffers),
    /** The same stream with LONG_TEXT_EVENTS content events, usage still at its end (sent paced only). */
    longEvents: longBuffers,
    longWhole: Buffer.concat(longBuffers),
    error: Buffer.from(error),
  }
}

/** OpenAI Chat Completions (`…/chat/completions`). */
export const CHAT = surface(
  chatAnswer('gpt-4o-mini'),
  chatEvents('gpt-4o-mini'),
  chatEvents('gpt-4o-mini', LONG_TEXT),
  JSON.stringify({ error: { message: 'mock upstream error', type: 'server_error', code: null } }),
)
/** Anthropic Messages (`…/messages`). */
export const MESSAGES = surface(
  messagesAnswer('claude-haiku-4-5'),
  messagesEvents('claude-haiku-4-5'),
  messagesEvents('claude-haiku-4-5', LONG_TEXT),
  JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'mock upstream error' } }),
)

/** A request asks for a stream when its body holds this, byte for byte (the bench's clients write compact JSON). */
export const STREAM_MARK = '"stream":true'
