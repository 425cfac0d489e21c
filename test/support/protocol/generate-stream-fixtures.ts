/**
 * Recorded-shape Gemini `streamGenerateContent?alt=sse` streams (wire format per ai.google.dev/api/generate-content
 * and the thought-signatures guide): every event a whole GenerateContentResponse framed with CRLF, text parts as
 * increments, functionCall parts complete, usageMetadata a running total. Used by the property tests.
 */

const frame = (chunk: object): string => `data: ${JSON.stringify(chunk)}\r\n\r\n`

const model = 'gemini-2.5-flash'
const chunk = (responseId: string, parts: object[], extra: object = {}, usage?: object): object => ({
  candidates: [{ content: { parts, role: 'model' }, index: 0, ...extra }],
  ...(usage ? { usageMetadata: usage } : {}),
  modelVersion: model,
  responseId,
})

export const STREAM_MODEL = model

export const GEMINI_STREAMS: Readonly<Record<string, string>> = {
  text: [
    chunk(
      'r-text',
      [{ text: 'Hello, ' }],
      {},
      { promptTokenCount: 12, candidatesTokenCount: 2, totalTokenCount: 14 },
    ),
    chunk(
      'r-text',
      [{ text: 'wörld — 你好 🌍' }],
      {},
      { promptTokenCount: 12, candidatesTokenCount: 7, totalTokenCount: 19 },
    ),
    chunk(
      'r-text',
      [{ text: '!' }],
      { finishReason: 'STOP' },
      { promptTokenCount: 12, candidatesTokenCount: 8, totalTokenCount: 20, cachedContentTokenCount: 4 },
    ),
  ]
    .map(frame)
    .join(''),

  thinking: [
    chunk(
      'r-think',
      [{ text: '**Planning**\nThe user wants', thought: true }],
      {},
      { promptTokenCount: 30, totalTokenCount: 90, thoughtsTokenCount: 60 },
    ),
    chunk('r-think', [{ text: ' a haiku.', thought: true }]),
    chunk(
      'r-think',
      [{ text: 'Autumn moonlight—' }],
      {},
      { promptTokenCount: 30, candidatesTokenCount: 5, thoughtsTokenCount: 120, totalTokenCount: 155 },
    ),
    chunk('r-think', [{ text: ' a worm digs silently', thoughtSignature: 'CiQB0e2Kb9k+Lw/xyz==' }]),
    chunk(
      'r-think',
      [{ text: '', thoughtSignature: 'EqQBCkgIARABGAIiQJ3m/+k=' }],
      { finishReason: 'STOP' },
      { promptTokenCount: 30, candidatesTokenCount: 14, thoughtsTokenCount: 120, totalTokenCount: 164 },
    ),
  ]
    .map(frame)
    .join(''),

  parallelTools: [
    chunk(
      'r-tools',
      [{ text: 'Checking both cities.' }],
      {},
      { promptTokenCount: 80, candidatesTokenCount: 4, totalTokenCount: 84 },
    ),
    chunk(
      'r-tools',
      [
        {
          functionCall: { name: 'get_weather', args: { city: 'Paris', units: 'c' } },
          thoughtSignature: 'CoYBAdHtim+/sig=',
        },
        { functionCall: { name: 'get_weather', args: { city: 'Tōkyō', days: [1, 2] } } },
      ],
      {},
      { promptTokenCount: 80, candidatesTokenCount: 30, totalTokenCount: 110 },
    ),
    chunk(
      'r-tools',
      [{ functionCall: { id: 'fc_9x', name: 'get_time', args: {} } }],
      { finishReason: 'STOP' },
      { promptTokenCount: 80, candidatesTokenCount: 41, toolUsePromptTokenCount: 5, totalTokenCount: 126 },
    ),
  ]
    .map(frame)
    .join(''),

  maxTokens: [
    chunk(
      'r-max',
      [{ text: 'thinking…', thought: true }],
      {},
      { promptTokenCount: 9, thoughtsTokenCount: 500, totalTokenCount: 509 },
    ),
    chunk(
      'r-max',
      [{ text: 'The answer is' }],
      { finishReason: 'MAX_TOKENS' },
      { promptTokenCount: 9, candidatesTokenCount: 3, thoughtsTokenCount: 500, totalTokenCount: 512 },
    ),
  ]
    .map(frame)
    .join(''),

  errorMidStream: [
    frame(
      chunk(
        'r-err',
        [{ text: 'Partial ' }],
        {},
        { promptTokenCount: 5, candidatesTokenCount: 1, totalTokenCount: 6 },
      ),
    ),
    frame(chunk('r-err', [{ text: 'ans' }])),
    frame({
      error: {
        code: 503,
        message: 'The model is overloaded. Please try again later.',
        status: 'UNAVAILABLE',
      },
    }),
  ].join(''),

  blockedPrompt: frame({
    promptFeedback: { blockReason: 'PROHIBITED_CONTENT' },
    usageMetadata: { promptTokenCount: 7, totalTokenCount: 7 },
    modelVersion: model,
    responseId: 'r-block',
  }),

  malformedCall: frame(
    chunk(
      'r-bad',
      [],
      { finishReason: 'MALFORMED_FUNCTION_CALL' },
      { promptTokenCount: 3, candidatesTokenCount: 0, totalTokenCount: 3 },
    ),
  ),
}
