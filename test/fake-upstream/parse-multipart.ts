/** One part of a `multipart/form-data` body. */
export interface MultipartPart {
  name: string
  filename?: string
  contentType?: string
  data: Buffer
}

/** Minimal `multipart/form-data` parser (enough for the OpenAI audio endpoints); returns [] when malformed. */
export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartPart[] {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '')
  const boundary = match?.[1] ?? match?.[2]
  if (!boundary) return []
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: MultipartPart[] = []
  let start = body.indexOf(delimiter)
  while (start !== -1) {
    const headerStart = start + delimiter.length + 2 // skip CRLF after the boundary
    if (body.subarray(start + delimiter.length, start + delimiter.length + 2).toString() === '--') break
    const next = body.indexOf(delimiter, headerStart)
    if (next === -1) break
    const headerEnd = body.indexOf('\r\n\r\n', headerStart)
    if (headerEnd === -1 || headerEnd > next) break
    const headers = body.subarray(headerStart, headerEnd).toString('utf8')
    const name = /name="([^"]*)"/i.exec(headers)?.[1]
    if (name !== undefined) {
      parts.push({
        name,
        filename: /filename="([^"]*)"/i.exec(headers)?.[1],
        contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1],
        data: body.subarray(headerEnd + 4, next - 2), // drop the CRLF before the next boundary
      })
    }
    start = next
  }
  return parts
}
