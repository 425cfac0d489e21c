import type { IRequestField } from './internal-model.ts'

/**
 * A request (or answer) that cannot be expressed in the other dialect without loss: answered 400 in the client's
 * protocol, naming the client's field (OpenAI `param`, the message elsewhere). Thrown by decoders and encoders; pure.
 */
export class TranslationRefusal extends Error {
  /** The client's field, e.g. `messages[3].content[1].input_audio` or `generationConfig.topK`. */
  readonly field: string
  constructor(field: string, message: string) {
    super(message)
    this.name = 'TranslationRefusal'
    this.field = field
  }
}

/** Refuse a request-level setting, naming the client's field the decoder recorded (or the internal name). */
export function refuseField(
  paths: Partial<Record<IRequestField, string>>,
  field: IRequestField,
  why: string,
): never {
  const name = paths[field] ?? field
  throw new TranslationRefusal(name, `${name}: ${why}`)
}
