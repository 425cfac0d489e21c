/**
 * Reads one text field of a multipart/form-data body (RFC 7578) by walking its parts as the provider will, so that
 * bytes inside an uploaded file can never pose as the field: a part's headers are only read right after a
 * boundary delimiter, and a part with a `filename` is a file whatever its name.
 */
export function readFormField(
  body: Buffer,
  contentType: string | undefined,
  field: string,
): string | undefined {
  const boundary = boundaryOf(contentType)
  if (!boundary) return undefined
  const delimiter = Buffer.from(`--${boundary}`, 'latin1')
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`, 'latin1')
  let at = body.indexOf(delimiter)
  while (at >= 0) {
    const afterDelimiter = at + delimiter.length
    // `--boundary--` closes the body.
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) return undefined
    const headersStart = body.indexOf('\r\n', afterDelimiter, 'latin1')
    if (headersStart < 0) return undefined
    const headersEnd = body.indexOf('\r\n\r\n', headersStart, 'latin1')
    if (headersEnd < 0) return undefined
    const contentStart = headersEnd + 4
    const contentEnd = body.indexOf(nextDelimiter, headersEnd)
    if (contentEnd < 0) return undefined
    const headers = body.toString('latin1', headersStart + 2, headersEnd)
    if (isTextField(headers, field)) return body.toString('utf8', contentStart, contentEnd)
    at = contentEnd + 2
  }
  return undefined
}

function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/form-data\s*;/i.test(contentType)) return undefined
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType)
  return m?.[1] ?? m?.[2]
}

/** Whether the part's headers say it is the text field `field` (a named part without a filename). */
function isTextField(headers: string, field: string): boolean {
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue
    const params = line
      .slice(colon + 1)
      .split(';')
      .slice(1)
    let name: string | undefined
    for (const param of params) {
      const eq = param.indexOf('=')
      if (eq < 0) continue
      const key = param.slice(0, eq).trim().toLowerCase()
      const value = param
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1')
      if (key === 'filename' || key === 'filename*') return false
      if (key === 'name') name = value
    }
    return name === field
  }
  return false
}
