import type { IFinishReason, JsonObject } from '../translate/internal-model.ts'

/**
 * A Responses answer's `status` and `incomplete_details` as the internal finish reason (translation-map §2.1):
 * a completed answer with calls ended for them; `failed` is the model's failure.
 */
export function decodeResponsesFinish(
  status: string | undefined,
  reason: string | undefined,
  calls: boolean,
): IFinishReason {
  if (status === 'completed') return calls ? 'tool_calls' : 'stop'
  if (status === 'incomplete') {
    if (reason === 'max_output_tokens') return 'length'
    if (reason === 'content_filter') return 'content_filter'
    return 'other'
  }
  if (status === 'failed') return 'error'
  return 'other'
}

export interface ResponsesStatus {
  status: 'completed' | 'incomplete' | 'failed'
  incomplete_details: JsonObject | null
  error: JsonObject | null
  /** The stream's terminal event. */
  event: 'response.completed' | 'response.incomplete' | 'response.failed'
}

/** The internal finish reason as Responses' status; Anthropic's `refusal` is Responses' content filter. */
export function encodeResponsesFinish(finish: IFinishReason): ResponsesStatus {
  switch (finish) {
    case 'length':
      return incomplete('max_output_tokens')
    case 'content_filter':
    case 'refusal':
      return incomplete('content_filter')
    case 'error':
      return {
        status: 'failed',
        incomplete_details: null,
        error: { code: 'server_error', message: 'The model failed to produce a valid answer.' },
        event: 'response.failed',
      }
    case 'stop':
    case 'stop_sequence':
    case 'tool_calls':
    case 'pause':
    case 'other':
      return { status: 'completed', incomplete_details: null, error: null, event: 'response.completed' }
  }
}

const incomplete = (reason: string): ResponsesStatus => ({
  status: 'incomplete',
  incomplete_details: { reason },
  error: null,
  event: 'response.incomplete',
})
