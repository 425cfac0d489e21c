/**
 * A Host header that could confuse rebuilding the request URL (a path, query, fragment, user info or whitespace
 * inside it) is refused; `req.url` is the raw request-target, so the host is the only other part.
 */
const BAD_HOST = /[/?#@\\\s]/

export function isBadHost(host: string | undefined): boolean {
  return host !== undefined && BAD_HOST.test(host)
}
