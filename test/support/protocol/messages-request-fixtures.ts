import type { IMessage, IRequest } from '../../../src/protocol/translate/internal-model.ts'
import { TranslationRefusal } from '../../../src/protocol/translate/translation-refusal.ts'
import { encodeAnthropicRequest } from '../../../src/protocol/anthropic/messages-encode-request.ts'

/** Shared inputs of the request encoder's tests (messages-encode-*.test.ts). */

export const ctx = { upstreamModel: 'claude-sonnet-4-5-20250929', defaultMaxOutputTokens: 64000 }

export function request(over: Partial<IRequest> = {}): IRequest {
  return {
    model: 'gpt-5',
    system: [],
    messages: [
      {
        role: 'user',
        parts: [{ type: 'text', text: 'Hi', path: 'messages[0].content' }],
        path: 'messages[0]',
      },
    ],
    stream: false,
    paths: {},
    ...over,
  }
}

export function refusedField(req: IRequest): string | undefined {
  try {
    encodeAnthropicRequest(req, ctx)
    return undefined
  } catch (err) {
    if (err instanceof TranslationRefusal) return err.field
    throw err
  }
}

/** An OpenAI chat history with two parallel calls, answered by two `tool` messages and a user message. */
export const parallelHistory: IMessage[] = [
  {
    role: 'user',
    parts: [{ type: 'text', text: 'Weather in Paris and Rome?', path: 'messages[0].content' }],
    path: 'messages[0]',
  },
  {
    role: 'assistant',
    parts: [
      { type: 'text', text: '', path: 'messages[1].content' },
      {
        type: 'tool_call',
        id: 'call_A',
        name: 'weather',
        arguments: '{"city":"Paris"}',
        path: 'messages[1].tool_calls[0]',
      },
      {
        type: 'tool_call',
        id: 'call_B',
        name: 'weather',
        arguments: '{"city":"Rome"}',
        path: 'messages[1].tool_calls[1]',
      },
    ],
    path: 'messages[1]',
  },
  {
    role: 'user',
    parts: [{ type: 'tool_result', callId: 'call_A', content: '18C', path: 'messages[2]' }],
    path: 'messages[2]',
  },
  {
    role: 'user',
    parts: [{ type: 'tool_result', callId: 'call_B', content: '24C', path: 'messages[3]' }],
    path: 'messages[3]',
  },
  {
    role: 'user',
    parts: [{ type: 'text', text: 'Thanks, which is warmer?', path: 'messages[4].content' }],
    path: 'messages[4]',
  },
]
