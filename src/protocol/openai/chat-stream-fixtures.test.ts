/**
 * Recorded-style Chat Completions streams, the SSE text as it reaches the gateway (shapes from
 * platform.openai.com/docs/api-reference/chat-streaming and the compatible servers named), for the codec's stream
 * tests. A test file, because helpers only tests use may not live in src/ (test/architecture/import-graph.test.ts);
 * the check below keeps the fixtures honest chat streams.
 */
import { describe, expect, it } from 'vitest'
import { parseSse } from '../../../test/support/split-and-parse-sse.ts'

/** Each line is one SSE event's `data:` line as sent; events end with a blank line. */
const wire = (lines: readonly string[]): string => lines.map((l) => l + '\n\n').join('')

/** Plain text with `stream_options.include_usage`: role chunk, content (multi-byte), finish, usage chunk, `[DONE]`. */
export const TEXT_STREAM = wire([
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"content":", wörld 👋"},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"content":" — done."},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":6,"total_tokens":26,"prompt_tokens_details":{"cached_tokens":8,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}}`,
  String.raw`data: [DONE]`,
])

/** Two parallel calls with fragmented arguments in OpenAI's order: each index's id and name on its first fragment. */
export const PARALLEL_TOOLS_STREAM = wire([
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"role":"assistant","content":null},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_Pa","type":"function","function":{"name":"weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_Ro","type":"function","function":{"name":"weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"city\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\"Rome\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[],"usage":{"prompt_tokens":80,"completion_tokens":30,"total_tokens":110}}`,
  String.raw`data: [DONE]`,
])

/** Text, then interleaved tool indexes (some compatible servers), first fragments also carrying arguments, no usage. */
export const INTERLEAVED_TOOLS_STREAM = wire([
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"role":"assistant","content":"Checking both."},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"read","arguments":"{\"pa"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"read","arguments":"{\"pa"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"th\":\"a\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"th\":\"b\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}`,
  String.raw`data: [DONE]`,
])

/** DeepSeek-style `reasoning_content` then the answer, usage on the last content chunk (no separate usage chunk). */
export const REASONING_STREAM = wire([
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":""},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"reasoning_content":"The user greets; "},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"reasoning_content":"answer briefly."},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"content":"Hi!"},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":40,"total_tokens":52,"prompt_cache_hit_tokens":0,"prompt_cache_miss_tokens":12,"completion_tokens_details":{"reasoning_tokens":37}}}`,
  String.raw`data: [DONE]`,
])

/** A refusal streamed in `delta.refusal`. */
export const REFUSAL_STREAM = wire([
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"role":"assistant","content":null,"refusal":""},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"refusal":"I can't help "},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"refusal":"with that."},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}`,
  String.raw`data: [DONE]`,
])

/** An error event in the middle of a tool call's arguments: the stream ends there, without `[DONE]`. */
export const ERROR_MID_STREAM = wire([
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"role":"assistant","content":"Let me look."},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"id":"chatcmpl-AbC1","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4.1-2025","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_E","type":"function","function":{"name":"grep","arguments":"{\"q\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}`,
  String.raw`data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`,
])

export const CHAT_STREAM_FIXTURES: Readonly<Record<string, string>> = {
  text: TEXT_STREAM,
  parallelTools: PARALLEL_TOOLS_STREAM,
  interleavedTools: INTERLEAVED_TOOLS_STREAM,
  reasoning: REASONING_STREAM,
  refusal: REFUSAL_STREAM,
  errorMidStream: ERROR_MID_STREAM,
}

describe('chat stream fixtures', () => {
  it.each(Object.entries(CHAT_STREAM_FIXTURES))(
    '%s is a chat stream: chunks, then [DONE] or an error',
    (_n, text) => {
      const { events, betweenEvents } = parseSse([text])
      expect(betweenEvents).toBe(true)
      const last = events[events.length - 1]?.data ?? ''
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as { object?: string })
      expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true)
      expect(last === '[DONE]' || (JSON.parse(last) as { error?: unknown }).error !== undefined).toBe(true)
    },
  )
})
