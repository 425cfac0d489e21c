import { type BodyReply, type FakeProtocol, jsonReply } from './fake-reply.ts'

const OPENAI: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: {
    message:
      'Incorrect API key provided: sk-fake****. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  403: {
    message: 'You are not allowed to sample from this model.',
    type: 'invalid_request_error',
    code: null,
  },
  404: {
    message: 'The model does not exist or you do not have access to it.',
    type: 'invalid_request_error',
    code: 'model_not_found',
  },
  429: {
    message: 'Rate limit reached for requests. Please try again in 1s.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  503: {
    message: 'The engine is currently overloaded, please try again later.',
    type: 'server_error',
    code: null,
  },
}

const ANTHROPIC: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: {
    type: 'permission_error',
    message: 'Your API key does not have permission to use the specified resource.',
  },
  404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    type: 'rate_limit_error',
    message: 'Number of request tokens has exceeded your per-minute rate limit.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
}

const GEMINI: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: { status: 'UNAUTHENTICATED', message: 'API key not valid. Please pass a valid API key.' },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'models/unknown is not found for API version v1beta.' },
  429: {
    status: 'RESOURCE_EXHAUSTED',
    message: 'You exceeded your current quota, please check your plan and billing details.',
  },
  500: {
    status: 'INTERNAL',
    message:
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'The request timed out. Please try again.' },
}

function openAiError(status: number, message?: string): unknown {
  const known = OPENAI[status] ?? (status >= 500 ? OPENAI[500] : OPENAI[400])
  return { error: { message: message ?? known.message, type: known.type, param: null, code: known.code } }
}

function anthropicError(status: number, message?: string): unknown {
  const known = ANTHROPIC[status] ?? (status >= 500 ? ANTHROPIC[500] : ANTHROPIC[400])
  return {
    type: 'error',
    error: { type: known.type, message: message ?? known.message },
    request_id: 'req_011CfakeUpstream',
  }
}

function geminiError(status: number, message?: string, retryAfter?: number): unknown {
  const known = GEMINI[status] ?? (status >= 500 ? GEMINI[500] : GEMINI[400])
  const error: Record<string, unknown> = {
    code: status,
    message: message ?? known.message,
    status: known.status,
  }
  if (status === 429) {
    error.details = [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter ?? 1}s` },
    ]
  }
  return { error }
}

/** The provider's own error body for `status` (429 adds `retry-after`). */
export function providerErrorReply(
  protocol: FakeProtocol,
  status: number,
  options: { message?: string; retryAfter?: number } = {},
): BodyReply {
  const headers: Record<string, string> = {}
  if (status === 429) headers['retry-after'] = String(options.retryAfter ?? 1)
  switch (protocol) {
    case 'openai':
      headers['x-request-id'] = 'req_fakeupstream'
      return jsonReply(status, openAiError(status, options.message), headers)
    case 'anthropic':
      headers['request-id'] = 'req_011CfakeUpstream'
      return jsonReply(status, anthropicError(status, options.message), headers)
    case 'gemini':
      return jsonReply(status, geminiError(status, options.message, options.retryAfter), headers)
  }
}

/** The provider's answer to a wrong API key: Gemini says 400, not 401 (ai.google.dev troubleshooting). */
export function badKeyReply(protocol: FakeProtocol): BodyReply {
  if (protocol !== 'gemini') return providerErrorReply(protocol, 401)
  const error = {
    code: 400,
    message: 'API key not valid. Please pass a valid API key.',
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
      },
    ],
  }
  return jsonReply(400, { error }, {})
}

/** The mid-stream error event of each protocol, as the providers send it. */
export const STREAM_ERROR_FRAMES: Record<FakeProtocol, string> = {
  openai:
    'data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":"server_error"}}\n\n',
  anthropic:
    'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
  gemini: `data: ${JSON.stringify(geminiError(500))}\r\n\r\n`,
}

export const HTML_502_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
