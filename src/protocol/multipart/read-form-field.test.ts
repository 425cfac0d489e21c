import { describe, expect, it } from 'vitest'
import { readFormField } from './read-form-field.ts'

const CT = 'multipart/form-data; boundary=xyz'

function form(parts: { head: string; value: string | Buffer }[], boundary = 'xyz'): Buffer {
  const chunks: Buffer[] = [Buffer.from('preamble\r\n')]
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${p.head}\r\n\r\n`), Buffer.from(p.value), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

describe('readFormField', () => {
  it('reads the named text field wherever it stands, after a large file too', () => {
    const body = form([
      {
        head: 'Content-Disposition: form-data; name="file"; filename="a.wav"',
        value: Buffer.alloc(200_000, 1),
      },
      { head: 'Content-Disposition: form-data; name="model"', value: 'whisper-1' },
    ])
    expect(readFormField(body, CT, 'model')).toBe('whisper-1')
  })

  it('never takes bytes inside a file for the field, nor a file part named like it', () => {
    const decoy = 'Content-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n'
    const body = form([
      { head: 'Content-Disposition: form-data; name="file"; filename="a.wav"', value: decoy },
      { head: 'Content-Disposition: form-data; name="model"; filename="m.txt"', value: 'gpt-5' },
      { head: 'Content-Disposition: form-data; name="model"', value: 'gpt-4o-transcribe' },
    ])
    expect(readFormField(body, CT, 'model')).toBe('gpt-4o-transcribe')
  })

  it('takes a quoted boundary, other headers and case-insensitive names; refuses what is not a form', () => {
    const body = form(
      [{ head: 'content-type: text/plain\r\ncontent-disposition: form-data; NAME=model', value: 'tts-1' }],
      'a b',
    )
    expect(readFormField(body, 'multipart/form-data; boundary="a b"', 'model')).toBe('tts-1')
    expect(readFormField(body, 'application/json', 'model')).toBeUndefined()
    expect(readFormField(body, undefined, 'model')).toBeUndefined()
    expect(
      readFormField(Buffer.from('--xyz\r\nContent-Disposition: form-data; name="model"'), CT, 'model'),
    ).toBe(undefined)
  })
})
