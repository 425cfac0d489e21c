import type { DialectCodec } from './dialect-codec.ts'
import type { IError, JsonObject } from './internal-model.ts'
import { TranslationRefusal } from './translation-refusal.ts'

/** A refusal as the client is answered: 400 `invalid_request`, naming the client's field (docs/translation.md). */
export function refusalError(refusal: TranslationRefusal): IError {
  return { status: 400, kind: 'invalid_request', message: refusal.message, param: refusal.field }
}

/** What a translation step threw, as the internal error: a refusal names its field; anything else is the gateway's. */
export function translationFailure(err: unknown): IError {
  if (err instanceof TranslationRefusal) return refusalError(err)
  return { status: 502, kind: 'server', message: 'The upstream answer could not be translated' }
}

/**
 * An upstream error answer (status and body text) in the client's dialect: decoded with the upstream's codec,
 * passed through `clean` (the caller scrubs secrets from the message), encoded with the client's.
 */
export function translateErrorAnswer(
  upstream: DialectCodec,
  client: DialectCodec,
  status: number,
  text: string,
  clean: (e: IError) => IError = (e) => e,
): { status: number; body: JsonObject } {
  return client.encodeError(clean(upstream.decodeError(status, text)))
}
