/** A part of a multipart/form-data body: a field, or a file when it has a `filename`. */
export interface MultipartPart {
  name: string
  value: Buffer
  filename?: string
}

/** A multipart/form-data body with the given parts, as an HTTP client would build it; files are `fileType`. */
export function multipart(boundary: string, parts: MultipartPart[], fileType: string): Buffer {
  const chunks: Buffer[] = []
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"` + (p.filename ? `; filename="${p.filename}"` : '')
    const type = p.filename ? `\r\nContent-Type: ${fileType}` : ''
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), p.value)
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}
