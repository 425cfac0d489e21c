/**
 * Streams in each provider's exact wire format (field order and framing as the providers send them),
 * trimmed to a few events, with CJK and emoji text, plus the values a correct reader extracts from them.
 * The usage numbers are chosen so that every known metering trap (summing Anthropic message_delta onto
 * message_start, summing Gemini running totals, forgetting that thoughts are outside candidates, counting
 * cached tokens twice) gives a different, wrong answer.
 */
import type { StreamKind } from '../../src/protocol/usage/track-stream-usage.ts'
import type { Usage } from '../../src/protocol/usage/usage.ts'

export interface RecordedStream {
  name: string
  kind: StreamKind
  wire: string
  expected: {
    events: number
    usage: Usage
    text: string
    finishReason: string | null
    completed: boolean
    sawError: boolean
  }
}

const lf = (events: string[]): string => events.map((e) => e + '\n\n').join('')
const crlf = (events: string[]): string => events.map((e) => e + '\r\n\r\n').join('')

const chatBase =
  '"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8"'

export const openAiChatStream: RecordedStream = {
  name: 'openai chat with include_usage',
  kind: 'openai-chat',
  wire: lf([
    `data: {${chatBase},"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`,
    `data: {${chatBase},"choices":[{"index":0,"delta":{"content":"你好"},"logprobs":null,"finish_reason":null}],"usage":null}`,
    `data: {${chatBase},"choices":[{"index":0,"delta":{"content":"，世界"},"logprobs":null,"finish_reason":null}],"usage":null}`,
    `data: {${chatBase},"choices":[{"index":0,"delta":{"content":"！👋"},"logprobs":null,"finish_reason":null}],"usage":null}`,
    `data: {${chatBase},"choices":[{"index":0,"delta":{"content":"🏽 Hello"},"logprobs":null,"finish_reason":null}],"usage":null}`,
    `data: {${chatBase},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`,
    `data: {${chatBase},"choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":128,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}`,
    'data: [DONE]',
  ]),
  expected: {
    events: 8,
    usage: {
      inputTokens: 176,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 300,
      reasoningTokens: 128,
      reported: true,
    },
    text: '你好，世界！👋🏽 Hello',
    finishReason: 'stop',
    completed: true,
    sawError: false,
  },
}

export const openAiToolCallStream: RecordedStream = {
  name: 'openai chat tool call fragments',
  kind: 'openai-chat',
  wire: lf([
    `data: {${chatBase},"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}],"refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`,
    `data: {${chatBase},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"city\\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
    `data: {${chatBase},"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\"東京 🗼\\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
    `data: {${chatBase},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}`,
    `data: {${chatBase},"choices":[],"usage":{"prompt_tokens":80,"completion_tokens":17,"total_tokens":97,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}`,
    'data: [DONE]',
  ]),
  expected: {
    events: 6,
    usage: {
      inputTokens: 80,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 17,
      reasoningTokens: 0,
      reported: true,
    },
    text: '',
    finishReason: 'tool_calls',
    completed: true,
    sawError: false,
  },
}

const compatBase =
  '"id":"chatcmpl-7f3a","object":"chat.completion.chunk","created":1741570290,"model":"deepseek-chat","system_fingerprint":"fp_3a5770e1b4_prod0225"'

/** DeepSeek/vLLM style: CRLF line ends, keep-alive comments, running usage on content chunks. */
export const compatChatStream: RecordedStream = {
  name: 'openai-compatible server, usage on content chunks, CRLF and comments',
  kind: 'openai-chat',
  wire: [
    ': keep-alive\r\n\r\n',
    `data: {${compatBase},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":64,"completion_tokens":0,"total_tokens":64,"prompt_tokens_details":{"cached_tokens":0},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":64}}\r\n\r\n`,
    `data: {${compatBase},"choices":[{"index":0,"delta":{"content":"مرحبا 😀 "},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":64,"completion_tokens":3,"total_tokens":67,"prompt_tokens_details":{"cached_tokens":0},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":64}}\r\n\r\n`,
    ': keep-alive\r\n\r\n',
    `data: {${compatBase},"choices":[{"index":0,"delta":{"content":"안녕"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":64,"completion_tokens":5,"total_tokens":69,"prompt_tokens_details":{"cached_tokens":0},"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":64}}\r\n\r\n`,
    'data: [DONE]\r\n\r\n',
  ].join(''),
  expected: {
    events: 4,
    usage: {
      inputTokens: 64,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 5,
      reasoningTokens: 0,
      reported: true,
    },
    text: 'مرحبا 😀 안녕',
    finishReason: 'stop',
    completed: true,
    sawError: false,
  },
}

const cmplBase = '"id":"cmpl-9x1","object":"text_completion","created":1741570300'

export const openAiCompletionsStream: RecordedStream = {
  name: 'openai legacy completions',
  kind: 'openai-completions',
  wire: lf([
    `data: {${cmplBase},"choices":[{"text":"Ünïcödé ","index":0,"logprobs":null,"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}`,
    `data: {${cmplBase},"choices":[{"text":"漢字🎉","index":0,"logprobs":null,"finish_reason":"length"}],"model":"gpt-3.5-turbo-instruct"}`,
    `data: {${cmplBase},"choices":[],"model":"gpt-3.5-turbo-instruct","usage":{"prompt_tokens":9,"completion_tokens":6,"total_tokens":15}}`,
    'data: [DONE]',
  ]),
  expected: {
    events: 4,
    usage: {
      inputTokens: 9,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 6,
      reasoningTokens: 0,
      reported: true,
    },
    text: 'Ünïcödé 漢字🎉',
    finishReason: 'length',
    completed: true,
    sawError: false,
  },
}

const respHead =
  '"id":"resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654","object":"response","created_at":1741290958'
const respTail =
  '"error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-5-2025-08-07","parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"medium","summary":null},"store":false,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","user":null,"metadata":{}'
const msgItem =
  '"id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","type":"message","role":"assistant"'
const ids =
  '"item_id":"msg_67c9fdcf37fc8190ba82116e33fb28c507b8b0ad4e5eb654","output_index":1,"content_index":0'

export const openAiResponsesStream: RecordedStream = {
  name: 'openai responses',
  kind: 'openai-responses',
  wire: lf([
    `event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{${respHead},"status":"in_progress","output":[],"usage":null,${respTail}}}`,
    `event: response.in_progress\ndata: {"type":"response.in_progress","sequence_number":1,"response":{${respHead},"status":"in_progress","output":[],"usage":null,${respTail}}}`,
    `event: response.output_item.added\ndata: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_67c9fdcf","type":"reasoning","summary":[]}}`,
    `event: response.output_item.done\ndata: {"type":"response.output_item.done","sequence_number":3,"output_index":0,"item":{"id":"rs_67c9fdcf","type":"reasoning","summary":[]}}`,
    `event: response.output_item.added\ndata: {"type":"response.output_item.added","sequence_number":4,"output_index":1,"item":{${msgItem},"status":"in_progress","content":[]}}`,
    `event: response.content_part.added\ndata: {"type":"response.content_part.added","sequence_number":5,${ids},"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""}}`,
    `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":6,${ids},"delta":"Bonjour 🌍","logprobs":[]}`,
    `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":7,${ids},"delta":" 世界","logprobs":[]}`,
    `event: response.output_text.done\ndata: {"type":"response.output_text.done","sequence_number":8,${ids},"text":"Bonjour 🌍 世界","logprobs":[]}`,
    `event: response.content_part.done\ndata: {"type":"response.content_part.done","sequence_number":9,${ids},"part":{"type":"output_text","annotations":[],"logprobs":[],"text":"Bonjour 🌍 世界"}}`,
    `event: response.output_item.done\ndata: {"type":"response.output_item.done","sequence_number":10,"output_index":1,"item":{${msgItem},"status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Bonjour 🌍 世界"}]}}`,
    `event: response.completed\ndata: {"type":"response.completed","sequence_number":11,"response":{${respHead},"status":"completed","output":[{"id":"rs_67c9fdcf","type":"reasoning","summary":[]},{${msgItem},"status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Bonjour 🌍 世界"}]}],"usage":{"input_tokens":2048,"input_tokens_details":{"cached_tokens":1536},"output_tokens":700,"output_tokens_details":{"reasoning_tokens":512},"total_tokens":2748},${respTail}}}`,
  ]),
  expected: {
    events: 12,
    usage: {
      inputTokens: 512,
      cacheReadTokens: 1536,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 700,
      reasoningTokens: 512,
      reported: true,
    },
    text: 'Bonjour 🌍 世界',
    finishReason: 'completed',
    completed: true,
    sawError: false,
  },
}

export const anthropicStream: RecordedStream = {
  name: 'anthropic messages with thinking, text and tool_use',
  kind: 'anthropic',
  wire: lf([
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":3000,"cache_read_input_tokens":10000,"cache_creation":{"ephemeral_5m_input_tokens":1000,"ephemeral_1h_input_tokens":2000},"output_tokens":1,"service_tier":"standard"}}}',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}',
    'event: ping\ndata: {"type": "ping"}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"用户问天气。"}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}',
    'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Привет 👩‍💻"}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"，我来查。"}}',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}',
    'event: content_block_start\ndata: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": \\"北京\\"}"}}',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":2}',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":25,"cache_creation_input_tokens":3000,"cache_read_input_tokens":10000,"output_tokens":412}}',
    'event: message_stop\ndata: {"type":"message_stop"}',
  ]),
  expected: {
    events: 16,
    usage: {
      inputTokens: 25,
      cacheReadTokens: 10000,
      cacheWriteTokens: 1000,
      cacheWrite1hTokens: 2000,
      outputTokens: 412,
      reasoningTokens: 0,
      reported: true,
    },
    text: 'Привет 👩‍💻，我来查。',
    finishReason: 'tool_use',
    completed: true,
    sawError: false,
  },
}

const geminiTail = '"modelVersion":"gemini-2.5-flash","responseId":"mKQsaL6DKeOkz7IP3OmGuQk"'

/** `alt=sse` framing is CRLF CRLF; usageMetadata is a running total on every chunk. */
export const geminiStream: RecordedStream = {
  name: 'gemini streamGenerateContent alt=sse',
  kind: 'gemini',
  wire: crlf([
    `data: {"candidates": [{"content": {"parts": [{"text": "思考中…","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 500,"totalTokenCount": 560,"cachedContentTokenCount": 300,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 500}],"thoughtsTokenCount": 60},${geminiTail}}`,
    `data: {"candidates": [{"content": {"parts": [{"text": "こんにちは 🌸"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 500,"candidatesTokenCount": 5,"totalTokenCount": 565,"cachedContentTokenCount": 300,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 500}],"thoughtsTokenCount": 60},${geminiTail}}`,
    `data: {"candidates": [{"content": {"parts": [{"text": " world"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 500,"candidatesTokenCount": 12,"totalTokenCount": 572,"cachedContentTokenCount": 300,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 500}],"cacheTokensDetails": [{"modality": "TEXT","tokenCount": 300}],"thoughtsTokenCount": 60},${geminiTail}}`,
  ]),
  expected: {
    events: 3,
    usage: {
      inputTokens: 200,
      cacheReadTokens: 300,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 72,
      reasoningTokens: 60,
      reported: true,
    },
    text: 'こんにちは 🌸 world',
    finishReason: 'STOP',
    completed: true,
    sawError: false,
  },
}

export const anthropicErrorStream: RecordedStream = {
  name: 'anthropic overloaded mid-stream',
  kind: 'anthropic',
  wire: lf([
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"部分"}}',
    'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
  ]),
  expected: {
    events: 4,
    usage: {
      inputTokens: 12,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      outputTokens: 1,
      reasoningTokens: 0,
      reported: true,
    },
    text: '部分',
    finishReason: null,
    completed: false,
    sawError: true,
  },
}

export const recordedStreams: RecordedStream[] = [
  openAiChatStream,
  openAiToolCallStream,
  compatChatStream,
  openAiCompletionsStream,
  openAiResponsesStream,
  anthropicStream,
  geminiStream,
  anthropicErrorStream,
]
