import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createSseParser, type SseEvent } from '../sse/parse-sse-stream.ts'
import { GEMINI_STREAMS } from '../../../test/support/protocol/generate-stream-fixtures.ts'
import { RECORDED_STREAMS as ANTHROPIC_STREAMS } from '../../../test/support/protocol/messages-stream-fixtures.ts'
import { CODECS } from './codecs.ts'
import type { DialectCodec, ResponseEncodeContext } from './dialect-codec.ts'
import type { Dialect } from './internal-model.ts'
import { createStreamTranslator } from './translate-stream.ts'
import { TranslationRefusal } from './translation-refusal.ts'

const ctx: ResponseEncodeContext = {
  model: 'client-model',
  requestId: 'req_1',
  created: 1_700_000_000,
  includeUsage: true,
}

/** Recorded upstream streams per upstream dialect (each codec's fixtures file); more as codecs land. */
const RECORDED: Partial<Record<Dialect, Readonly<Record<string, string>>>> = {
  'gemini-generate': GEMINI_STREAMS,
  'anthropic-messages': ANTHROPIC_STREAMS,
}

const codecs = Object.values(CODECS) as DialectCodec[]
const pairs = codecs.flatMap((up) => codecs.map((client) => [up, client] as const))
const cases = pairs.flatMap(([up, client]) =>
  Object.entries(RECORDED[up.dialect] ?? {}).map(([name, text]) => ({ up, client, name, text })),
)

function events(text: string): SseEvent[] {
  const out: SseEvent[] = []
  const p = createSseParser((e) => out.push(e))
  p.pushText(text)
  p.end()
  return out
}

/** The client's text when the upstream text arrives in the given pieces; also the upstream events seen. */
function translate(up: DialectCodec, client: DialectCodec, pieces: string[]) {
  const seen: SseEvent[] = []
  const t = createStreamTranslator(up, client, ctx, { onUpstreamEvent: (e) => seen.push(e) })
  let out = ''
  for (const p of pieces) out += t.push(p)
  out += t.end()
  return { out, seen, done: t.done }
}

describe('createStreamTranslator', () => {
  it('has recorded streams to run (the registry holds at least one codec with fixtures)', () => {
    expect(cases.length).toBeGreaterThan(0)
  })

  for (const { up, client, name, text } of cases) {
    it(`${up.dialect} → ${client.dialect} (${name}): the same client text however the upstream splits it`, () => {
      const whole = translate(up, client, [text])
      expect(whole.done).toBe(true)
      expect(whole.out.length).toBeGreaterThan(0)
      // The upstream events reach the meter exactly as parsed, split or not.
      expect(whole.seen).toEqual(events(text))
      for (let i = 1; i < text.length; i++) {
        expect(translate(up, client, [text.slice(0, i), text.slice(i)]).out).toBe(whole.out)
      }
      fc.assert(
        fc.property(fc.array(fc.nat(text.length), { maxLength: 8 }), (cuts) => {
          const at = [...new Set(cuts)].sort((a, b) => a - b)
          const pieces = [0, ...at].map((from, k) => text.slice(from, [...at, text.length][k]))
          expect(translate(up, client, pieces).out).toBe(whole.out)
        }),
        { numRuns: 50 },
      )
    })
  }

  const gemini = CODECS['gemini-generate']!
  const text = GEMINI_STREAMS.text

  it('ends a stream cut before its last event with the client error event, once', () => {
    const cut = text.slice(0, text.lastIndexOf('data:'))
    const { out, done } = translate(gemini, gemini, [cut])
    expect(done).toBe(true)
    const errors = events(out).filter((e) => e.data.includes('"error"'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toEqual(events(out).at(-1))
    const body = JSON.parse(errors[0].data) as { error: { message: string } }
    // The decoder's own word for a cut stream, or the engine's when the decoder has none.
    expect(body.error.message).toMatch(/ended before/)
  })

  it('fail(): closes the answer with the client error event; nothing is written after it', () => {
    const t = createStreamTranslator(gemini, gemini, ctx)
    const first = t.push(text.slice(0, text.indexOf('\r\n\r\n') + 4))
    expect(first).toContain('Hello')
    const failed = t.fail({ status: 504, kind: 'timeout', message: 'The upstream stopped sending data' })
    expect(JSON.parse(events(failed).at(-1)!.data)).toMatchObject({
      error: { code: 504, status: 'DEADLINE_EXCEEDED', message: 'The upstream stopped sending data' },
    })
    expect(t.done).toBe(true)
    expect(t.push(text) + t.end()).toBe('')
  })

  it('passes an upstream error event through cleanError before the client sees it', () => {
    const upstreamError =
      'data: {"error":{"code":500,"message":"boom at 10.0.0.7","status":"INTERNAL"}}\r\n\r\n'
    const t = createStreamTranslator(gemini, gemini, ctx, {
      cleanError: (e) => ({ ...e, message: e.message.replace('10.0.0.7', '[address]') }),
    })
    const out = t.push(text.slice(0, text.indexOf('\r\n\r\n') + 4) + upstreamError) + t.end()
    expect(out).toContain('[address]')
    expect(out).not.toContain('10.0.0.7')
  })

  it('a refusal while encoding becomes the client error event naming the field', () => {
    const refusing: DialectCodec = {
      ...gemini,
      createStreamEncoder: () => ({
        push: () => {
          throw new TranslationRefusal('candidates[0].content', 'cannot be expressed')
        },
      }),
    }
    const { out, done } = translate(gemini, refusing, [text])
    expect(done).toBe(true)
    const body = JSON.parse(events(out).at(-1)!.data) as { error: { code: number; message: string } }
    expect(body.error.code).toBe(400)
    expect(body.error.message).toContain('candidates[0].content')
  })
})
