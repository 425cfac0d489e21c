import {
  collectPromptText,
  countTextTokens,
  encodeEmbeddingBase64,
  FAKE_CREATED,
  fakeAnswerText,
  fakeEmbedding,
  fakeId,
  hashText,
  TINY_PNG_BASE64,
} from './fake-content.ts'
import { type BodyReply, bodyObject, echoText, type FakeRequest, jsonReply } from './fake-reply.ts'
import { parseMultipart } from './parse-multipart.ts'
import { providerErrorReply } from './provider-errors.ts'

function dimensionsOf(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? Math.min(4096, value) : fallback
}

/** `POST /v1/embeddings`; honours `dimensions` and `encoding_format: "base64"` (the SDK's default). */
export function handleEmbeddings(req: FakeRequest): BodyReply {
  const body = bodyObject(req)
  const model = typeof body.model === 'string' ? body.model : 'text-embedding-3-small'
  const raw = body.input
  // A string, an array of strings, an array of token ids or an array of token-id arrays.
  const inputs: unknown[] = Array.isArray(raw) && raw.length > 0 && typeof raw[0] !== 'number' ? raw : [raw]
  const dimensions = dimensionsOf(body.dimensions, 16)
  const base64 = body.encoding_format === 'base64'
  let tokens = 0
  const data = inputs.map((input, index) => {
    const text = typeof input === 'string' ? input : JSON.stringify(input ?? '')
    tokens += Array.isArray(input) ? input.length : countTextTokens(text)
    const values = fakeEmbedding(text, dimensions)
    return { object: 'embedding', index, embedding: base64 ? encodeEmbeddingBase64(values) : values }
  })
  const answer: Record<string, unknown> = { object: 'list', data, model }
  if (req.scenario?.name !== 'no-usage') answer.usage = { prompt_tokens: tokens, total_tokens: tokens }
  return jsonReply(200, answer)
}

/** `POST /v1/images/generations`: gpt-image models answer base64 with token usage, DALL·E answers URLs. */
export function handleImageGenerations(req: FakeRequest): BodyReply {
  const body = bodyObject(req)
  const model = typeof body.model === 'string' ? body.model : 'dall-e-2'
  const prompt = typeof body.prompt === 'string' ? body.prompt : ''
  const n = typeof body.n === 'number' && body.n > 0 ? Math.min(10, Math.floor(body.n)) : 1
  const tokenBilled = model.startsWith('gpt-image')
  const asBase64 = tokenBilled || body.response_format === 'b64_json'
  const data = Array.from({ length: n }, (_, i) =>
    asBase64
      ? { b64_json: TINY_PNG_BASE64 }
      : { url: `${req.baseUrl}/files/${hashText(prompt + i)}.png`, revised_prompt: prompt },
  )
  const answer: Record<string, unknown> = { created: FAKE_CREATED, data }
  if (tokenBilled && req.scenario?.name !== 'no-usage') {
    const input = countTextTokens(prompt)
    const output = 272 * n
    answer.usage = {
      total_tokens: input + output,
      input_tokens: input,
      output_tokens: output,
      input_tokens_details: { text_tokens: input, image_tokens: 0 },
    }
  }
  return jsonReply(200, answer)
}

/** `POST /v1/audio/transcriptions` and `/v1/audio/translations` (multipart). */
export function handleTranscription(req: FakeRequest): BodyReply {
  const parts = parseMultipart(req.rawBody, req.headers['content-type'])
  const field = (name: string) => parts.find((p) => p.name === name)?.data.toString('utf8')
  const file = parts.find((p) => p.name === 'file')
  if (!file) return providerErrorReply('openai', 400, { message: "1 validation error: 'file' is required" })
  const model = field('model') ?? 'whisper-1'
  const format = field('response_format') ?? 'json'
  const text = echoText(req) ?? fakeAnswerText(model)
  const seconds = Math.max(1, Math.ceil(file.data.length / 16000))
  const usage = model.startsWith('whisper')
    ? { type: 'duration', seconds }
    : {
        type: 'tokens',
        input_tokens: seconds * 10,
        input_token_details: { text_tokens: 0, audio_tokens: seconds * 10 },
        output_tokens: countTextTokens(text),
        total_tokens: seconds * 10 + countTextTokens(text),
      }
  if (format === 'text' || format === 'srt' || format === 'vtt') {
    return {
      kind: 'body',
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: text + '\n',
    }
  }
  const answer: Record<string, unknown> =
    format === 'verbose_json'
      ? { task: 'transcribe', language: 'english', duration: seconds, text, segments: [], usage }
      : { text, usage }
  if (req.scenario?.name === 'no-usage') delete answer.usage
  return jsonReply(200, answer)
}

const AUDIO_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
}

/** `POST /v1/audio/speech`: deterministic binary audio (bytes that look like an MP3 frame header). */
export function handleSpeech(req: FakeRequest): BodyReply {
  const body = bodyObject(req)
  const input = typeof body.input === 'string' ? body.input : ''
  const format = typeof body.response_format === 'string' ? body.response_format : 'mp3'
  const length = 64 + Buffer.byteLength(input) * 8
  const audio = Buffer.alloc(length)
  audio.write('ID3', 0, 'latin1')
  const seed = hashText(input)
  for (let i = 3; i < length; i++) audio[i] = (parseInt(seed.slice(i % 8, (i % 8) + 1), 16) * 17 + i) & 0xff
  return {
    kind: 'body',
    status: 200,
    headers: { 'content-type': AUDIO_TYPES[format] ?? 'audio/mpeg' },
    body: audio,
  }
}

const MODERATION_CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
]

/** `POST /v1/moderations`: nothing is ever flagged. */
export function handleModerations(req: FakeRequest): BodyReply {
  const body = bodyObject(req)
  const model = typeof body.model === 'string' ? body.model : 'omni-moderation-latest'
  const inputs = Array.isArray(body.input) ? body.input : [body.input]
  const seed = collectPromptText({ input: body.input }).join('\n')
  const results = inputs.map(() => ({
    flagged: false,
    categories: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, false])),
    category_scores: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, 0.0001])),
    category_applied_input_types: Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, ['text']])),
  }))
  return jsonReply(200, { id: fakeId('modr-', `${model}|${seed}`, 20), model, results })
}

export const OPENAI_MODELS = [
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-5',
  'o3-mini',
  'gpt-3.5-turbo-instruct',
  'text-embedding-3-small',
  'gpt-image-1',
  'dall-e-3',
  'whisper-1',
  'gpt-4o-transcribe',
  'tts-1',
  'omni-moderation-latest',
]

/** `GET /v1/models` and `GET /v1/models/{id}` in OpenAI's shape. */
export function handleOpenAiModels(req: FakeRequest): BodyReply {
  const id = req.path.startsWith('/v1/models/')
    ? decodeURIComponent(req.path.slice('/v1/models/'.length))
    : undefined
  const model = (name: string) => ({ id: name, object: 'model', created: FAKE_CREATED, owned_by: 'system' })
  if (id !== undefined) return jsonReply(200, model(id))
  return jsonReply(200, { object: 'list', data: OPENAI_MODELS.map(model) })
}
