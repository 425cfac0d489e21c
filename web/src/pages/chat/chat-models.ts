/**
 * Models that answer chat requests. `/v1/models` lists everything a key may call, embedding, speech, image,
 * moderation and rerank models included; the playground offers only chat ones (issue 19 #13).
 */
const NOT_CHAT = /embed|rerank|moderation|whisper|(^|[-_])tts([-_]|$)|dall-e|(^|[-_])image[-_]gen|transcribe/i

export function isChatModel(id: string): boolean {
  return !NOT_CHAT.test(id)
}

/** A key as the snippet shows it: enough to tell which key, never the secret itself. */
export function maskedKey(key: string): string {
  if (key.length < 16) return 'sk-...'
  return `${key.slice(0, 5)}…${key.slice(-4)}`
}
