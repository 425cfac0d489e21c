import { types } from 'node:util'
import type { AuditRecord } from './audit-record.ts'

/**
 * Redaction for audit records. Three layers, applied to every string of a record:
 * 1. exact secrets the caller knows (client key, channel key, login password), plus their URL- and
 *    JSON-escaped forms;
 * 2. key-shaped patterns (`sk-…`, `AIza…`, JWTs, `Bearer …`);
 * 3. sensitive names: header names, query parameters, JSON fields (parsed or still as text) and form fields.
 * Masks keep at most the prefix and last four characters (`sk-…abcd`), otherwise `[redacted]`.
 * All walkers build new objects and copy a `__proto__` key with `defineProperty`, as data, so no prototype
 * is ever touched; the input is never mutated.
 */

const { isProxy } = types

export const REDACTED = '[redacted]'

/** Secrets shorter than this are ignored by the exact-match layer (masking every "ab" would shred text). */
const MIN_SECRET_LENGTH = 4
const MAX_DEPTH = 64

const SENSITIVE_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'x-goog-api-key',
  'x-admin-key',
  'api-key',
  'cookie',
  'set-cookie',
  'x-auth-token',
  'x-access-token',
  'x-amz-security-token',
])
/** Whole dash-separated segments of a header name that make it sensitive (`x-session-id`, `x-my-secret`). */
const SENSITIVE_HEADER_SEGMENT =
  /(?:^|-)(?:secret|password|passwd|apikey|api-key|auth|cookie|session|credential|credentials|access-token|auth-token|security-token|admin-key)(?:-|$)/
const COOKIE_HEADERS = new Set(['cookie', 'set-cookie'])

/** Body field names compared lowercased with `_` and `-` removed. */
const SENSITIVE_FIELDS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xapikey',
  'xgoogapikey',
  'xadminkey',
  'adminkey',
  'apikey',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'sessiontoken',
  'bearertoken',
  'secret',
  'clientsecret',
  'password',
  'passwd',
  'pwd',
  'privatekey',
])
const SENSITIVE_FIELD_PARTS = [
  'password',
  'passwd',
  'secret',
  'apikey',
  'accesstoken',
  'refreshtoken',
  'privatekey',
]

/** Query / fragment parameter names (same normalisation), on top of the field names. */
const SENSITIVE_QUERY_NAMES = new Set(['key', 'token', 'auth', 'sig', 'signature', ...SENSITIVE_FIELDS])

const NAME_SRC =
  '(?:password|passwd|pwd|secret|api[_-]?key|admin[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|auth[_-]?token|session[_-]?token|authorization|private[_-]?key|cookie)'
/** `"password": "…"` in JSON that is still text (raw bodies, SSE lines, upstream error text). */
const JSON_FIELD = new RegExp(`("[\\w-]*${NAME_SRC}[\\w-]*"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi')
/** The same inside a JSON string (`\"password\":\"…\"`), e.g. tool-call arguments in SSE. */
const ESCAPED_JSON_FIELD = new RegExp(
  `(\\\\"[\\w-]*${NAME_SRC}[\\w-]*\\\\"\\s*:\\s*\\\\")(?:[^\\\\"]|\\\\(?!"))*(\\\\")`,
  'gi',
)
/** `password=…` in form bodies, query strings and log-like text. */
const FORM_FIELD = new RegExp(`(^|[?&;\\s])([\\w.-]*${NAME_SRC}[\\w.-]*)=([^&;\\s"']*)`, 'gim')
const QUERY_KEY = /([?&#](?:key|token|sig|signature)=)[^&;\s#"']*/gi
const SK_KEY = /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{16,}/g
const GOOGLE_KEY = /AIza[0-9A-Za-z_-]{30,}/g
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/-]{16,}=*/gi
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/@?#\s]*@/i

/**
 * Matches every string that any pattern above could change (a superset: each pattern needs one of these
 * fragments). Most strings of a record match none, and one scan spares them eight.
 */
const MAY_NEED_PATTERNS =
  /sk-|aiza|eyj|bearer|passw|pwd|secret|api[_-]?key|admin[_-]?key|(?:access|refresh|id|auth|session)[_-]?token|authorization|private[_-]?key|cookie|[?&#](?:key|token|sig)/i

const MASKED_TOKEN = /^(?:(?:sk-|AIza)…[A-Za-z0-9_-]{0,4}|\[redacted\])$/
const AUTH_SCHEME = /^(Bearer|Basic|Token|ApiKey|Api-Key|Key|Bot|OAuth|JWT|Session)\s+(\S+)$/i

/** Masks one credential: `sk-…abcd`, `AIza…abcd`, otherwise `[redacted]`. */
function maskToken(token: string): string {
  if (MASKED_TOKEN.test(token)) return token
  if (token.length >= 20) {
    if (token.startsWith('sk-')) return `sk-…${token.slice(-4)}`
    if (token.startsWith('AIza')) return `AIza…${token.slice(-4)}`
  }
  return REDACTED
}

/**
 * Masks a credential value, keeping an auth scheme: `Bearer sk-abc…` → `Bearer sk-…wxyz`;
 * `Basic …` → `Basic [redacted]`. Idempotent.
 */
export function maskSecret(value: string): string {
  const v = value.trim()
  const m = AUTH_SCHEME.exec(v)
  if (m) return `${m[1]} ${m[1].toLowerCase() === 'basic' ? REDACTED : maskToken(m[2])}`
  return maskToken(v)
}

const normaliseName = (name: string): string => name.toLowerCase().replace(/[_-]/g, '')

/** Field names repeat endlessly (`role`, `content`, …): their verdicts are remembered, up to a bound. */
const fieldVerdicts = new Map<string, boolean>()

function isSensitiveField(name: string): boolean {
  const known = fieldVerdicts.get(name)
  if (known !== undefined) return known
  const n = normaliseName(name)
  const verdict = SENSITIVE_FIELDS.has(n) || SENSITIVE_FIELD_PARTS.some((p) => n.includes(p))
  if (name.length <= 64) {
    if (fieldVerdicts.size >= 4096) fieldVerdicts.clear()
    fieldVerdicts.set(name, verdict)
  }
  return verdict
}

function isSensitiveHeader(lowerName: string): boolean {
  return SENSITIVE_HEADERS.has(lowerName) || SENSITIVE_HEADER_SEGMENT.test(lowerName)
}

function isSensitiveQueryName(rawName: string): boolean {
  let name = rawName
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' '))
  } catch {
    // A malformed escape: judge the raw name.
  }
  const n = normaliseName(name.trim())
  return SENSITIVE_QUERY_NAMES.has(n) || SENSITIVE_FIELD_PARTS.some((p) => n.includes(p))
}

interface Needle {
  value: string
  mask: string
}

function prepareSecrets(secrets: readonly unknown[]): Needle[] {
  return buildNeedles(secrets.filter((s): s is string => typeof s === 'string'))
}

/** Characters that URL and JSON encoding leave as they are: a secret made only of them has one form. */
const ENCODING_SAFE = /^[A-Za-z0-9_.~-]*$/

function buildNeedles(secrets: readonly string[]): Needle[] {
  // The usual case, generated keys of safe characters, needs no encodings, map or sort (and nothing is cached:
  // client keys are not kept in memory beyond their request).
  if (secrets.length <= 2 && secrets.every((s) => ENCODING_SAFE.test(s))) {
    const needles: Needle[] = []
    for (const s of secrets)
      if (s.length >= MIN_SECRET_LENGTH && !needles.some((n) => n.value === s))
        needles.push({ value: s, mask: maskToken(s) })
    // Longest first, so a secret that contains another is replaced whole.
    if (needles.length === 2 && needles[1].value.length > needles[0].value.length) needles.reverse()
    return needles
  }
  const seen = new Map<string, string>()
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue
    const mask = maskToken(s)
    for (const variant of [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]) {
      if (variant.length >= MIN_SECRET_LENGTH && !seen.has(variant)) seen.set(variant, mask)
    }
  }
  return [...seen].map(([value, mask]) => ({ value, mask })).sort((a, b) => b.value.length - a.value.length)
}

type TextRedactor = (text: string) => string

/**
 * Short strings repeat endlessly across records (field names, roles, finish reasons, content types, model
 * names): whether the pattern layers could change one is remembered, up to a bound, instead of scanned again.
 */
const patternVerdicts = new Map<string, boolean>()
const MAX_REMEMBERED_LENGTH = 48

/**
 * MAY_NEED_PATTERNS without the `i` flag, for lowercased text. V8 scans long text about 2.4 times faster lowercasing
 * it first and matching case-sensitively than matching case-insensitively (measured on a 1 KiB prompt: 2.45 µs
 * against 1.04 µs); on short text the copy costs more than it saves. Still a superset: lowercasing turns every
 * ASCII letter of a case-insensitive match into the lowercase fragment (and only widens matches elsewhere).
 */
const MAY_NEED_PATTERNS_LOWER = new RegExp(MAY_NEED_PATTERNS.source)
const LOWERCASE_SCAN_LENGTH = 256

function mayNeedPatterns(text: string): boolean {
  if (text.length > LOWERCASE_SCAN_LENGTH) return MAY_NEED_PATTERNS_LOWER.test(text.toLowerCase())
  if (text.length > MAX_REMEMBERED_LENGTH) return MAY_NEED_PATTERNS.test(text)
  let verdict = patternVerdicts.get(text)
  if (verdict === undefined) {
    verdict = MAY_NEED_PATTERNS.test(text)
    if (patternVerdicts.size >= 4096) patternVerdicts.clear()
    patternVerdicts.set(text, verdict)
  }
  return verdict
}

/** Builds the string-level redactor for one record (the secrets are prepared once). */
export function createTextRedactor(secrets: readonly unknown[] = []): TextRedactor {
  return textRedactorFor(prepareSecrets(secrets))
}

function textRedactorFor(needles: readonly Needle[]): TextRedactor {
  return (text: string): string => {
    if (text.length < MIN_SECRET_LENGTH) return text
    let out = text
    for (const n of needles)
      if (out.length >= n.value.length && out.includes(n.value)) out = out.split(n.value).join(n.mask)
    if (!mayNeedPatterns(out)) return out
    out = out
      .replace(SK_KEY, (k) => maskToken(k))
      .replace(GOOGLE_KEY, (k) => maskToken(k))
      .replace(JWT, REDACTED)
      .replace(BEARER, `$1 ${REDACTED}`)
    if (out.includes('"'))
      out = out.replace(JSON_FIELD, `$1"${REDACTED}"`).replace(ESCAPED_JSON_FIELD, `$1${REDACTED}$2`)
    if (out.includes('='))
      out = out.replace(FORM_FIELD, `$1$2=${REDACTED}`).replace(QUERY_KEY, `$1${REDACTED}`)
    return out
  }
}

/** Redacts any string with the pattern layers and the given secrets. */
export function redactText(text: string, secrets: readonly unknown[] = []): string {
  return createTextRedactor(secrets)(text)
}

/** Plain assignment is safe on a fresh object for every key but `__proto__`, which must become data. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else target[key] = value
}

/** A header value as text; null for absent or non-scalar values, which are dropped. */
function headerValueText(raw: unknown): string | null {
  if (typeof raw === 'string') return raw
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return String(raw)
  if (Array.isArray(raw)) {
    const parts = raw.map(headerValueText).filter((p): p is string => p !== null)
    return parts.length > 0 ? parts.join(', ') : null
  }
  return null
}

function headersWith(headers: unknown, text: TextRedactor): Record<string, string> {
  const out: Record<string, string> = {}
  if (headers === null || typeof headers !== 'object') return out
  for (const name of Object.keys(headers)) {
    const value = headerValueText((headers as Record<string, unknown>)[name])
    if (value === null) continue
    const lower = name.toLowerCase()
    let masked: string
    if (COOKIE_HEADERS.has(lower)) masked = REDACTED
    else if (isSensitiveHeader(lower)) masked = maskSecret(value)
    else masked = text(value)
    const key = text(lower)
    const previous = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined
    define(out, key, previous === undefined ? masked : `${previous}, ${masked}`)
  }
  return out
}

/**
 * Header names lowercased, arrays joined with `, `, credentials masked (`Bearer sk-…abcd`), cookies
 * replaced by `[redacted]`; every other value goes through the string layers.
 */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
  secrets: readonly unknown[] = [],
): Record<string, string> {
  return headersWith(headers, createTextRedactor(secrets))
}

function urlWith(url: string, text: TextRedactor): string {
  let out = url.replace(USERINFO, `$1${REDACTED}@`)
  const start = out.search(/[?#]/)
  if (start >= 0) {
    const tail = out
      .slice(start)
      .replace(/([?&;#])([^=&;#]*)=([^&;#]*)/g, (all: string, sep: string, name: string) =>
        isSensitiveQueryName(name) ? `${sep}${name}=${REDACTED}` : all,
      )
    out = out.slice(0, start) + tail
  }
  return text(out)
}

/** Masks `key=`, `api_key=`, `access_token=` (and other credential) parameters, user info and key shapes. */
export function redactUrl(url: string, secrets: readonly unknown[] = []): string {
  return urlWith(url, createTextRedactor(secrets))
}

function maskNamedValue(value: unknown, text: TextRedactor): unknown {
  if (value === null || value === undefined || typeof value === 'boolean') return value
  if (typeof value === 'string') return value === '' ? value : text(maskSecret(value))
  return REDACTED
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * `path` holds the objects being walked above this one (at most MAX_DEPTH): a value already on it is a cycle.
 * A short array scan is cheaper than a WeakSet, whose entries also cost the garbage collector extra work.
 */
function walk(value: unknown, text: TextRedactor, depth: number, path: object[]): unknown {
  switch (typeof value) {
    case 'string':
      return text(value)
    case 'number':
    case 'boolean':
      return value
    case 'bigint':
      return value.toString()
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined
    case 'object':
      break
  }
  if (value === null) return null
  if (depth >= MAX_DEPTH) return '[truncated]'
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    const bytes =
      value instanceof ArrayBuffer
        ? new Uint8Array(value)
        : new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    try {
      return text(utf8.decode(bytes))
    } catch {
      return `[binary ${bytes.byteLength} bytes]`
    }
  }
  if (path.includes(value)) return '[circular]'
  path.push(value)
  try {
    if (Array.isArray(value)) {
      return value.map((item) => {
        const v = walk(item, text, depth + 1, path)
        return v === undefined ? null : v
      })
    }
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      let v: unknown
      try {
        v = (value as Record<string, unknown>)[key]
      } catch {
        continue
      }
      const redacted = isSensitiveField(key) ? maskNamedValue(v, text) : walk(v, text, depth + 1, path)
      if (redacted !== undefined) define(out, text(key), redacted)
    }
    return out
  } catch {
    return '[unserialisable]'
  } finally {
    path.pop()
  }
}

/**
 * Deep copy of a JSON-like value with sensitive fields masked (any depth, names compared
 * case-insensitively, `_`/`-` ignored) and every string (keys included) passed through the string layers.
 * The result is always JSON-serialisable: no cycles, no bigint, no functions.
 */
export function redactBody(value: unknown, secrets: readonly unknown[] = []): unknown {
  return walk(value, createTextRedactor(secrets), 0, [])
}

/**
 * Redacts a whole record: URLs by parameter, headers by name, then every field by the body rules.
 * Idempotent, so records redacted by the caller can safely be redacted again by the writer.
 */
export function redactAuditRecord(record: AuditRecord, secrets: readonly unknown[] = []): AuditRecord {
  const text = createTextRedactor(secrets)
  return walk(prepareRecord(record, text), text, 0, []) as AuditRecord
}

/** The record with URLs and headers redacted by their own rules; every other field still as given. */
function prepareRecord(record: AuditRecord, text: TextRedactor): AuditRecord {
  const request = record.request ?? { headers: {} }
  const response = record.response ?? { status: record.status, headers: {} }
  const prepared: AuditRecord = {
    ...record,
    client_path: urlWith(String(record.client_path ?? ''), text),
    request: { ...request, headers: headersWith(request.headers, text) },
    response: { ...response, headers: headersWith(response.headers, text) },
  }
  if (record.upstream_url !== undefined) prepared.upstream_url = urlWith(String(record.upstream_url), text)
  return prepared
}

/**
 * `walk` without the copy where nothing changes: returns `value` itself when its JSON would come out the same,
 * otherwise a new value built like `walk` builds it, sharing the unchanged parts. Most bodies hold nothing to
 * redact, so they cost a read instead of a copy.
 */
function walkShared(value: unknown, text: TextRedactor, depth: number, path: object[]): unknown {
  switch (typeof value) {
    case 'string':
      return text(value)
    case 'bigint':
      return value.toString()
    case 'number':
    case 'boolean':
    case 'undefined':
    case 'function':
    case 'symbol':
      // Numbers and booleans stay; JSON leaves out undefined, functions and symbols as `walk` does (null in arrays).
      return value
    case 'object':
      break
  }
  if (value === null) return null
  const isArray = Array.isArray(value)
  const proto: unknown = Object.getPrototypeOf(value)
  // Only plain objects and arrays are shared: anything JSON would serialise differently from its own keys (dates,
  // binary, boxed values, `toJSON` methods, class instances, proxies), cycles and the depth limit take `walk`'s way.
  if (
    depth >= MAX_DEPTH ||
    isProxy(value) ||
    (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function' ||
    path.includes(value)
  )
    return walk(value, text, depth, path)
  path.push(value)
  try {
    if (isArray) {
      const list = value as unknown[]
      let copy: unknown[] | null = null
      for (let i = 0; i < list.length; i++) {
        const item = list[i]
        const v = walkShared(item, text, depth + 1, path)
        // Items before the first change are unchanged; JSON writes null for the holes and undefined among them.
        if (copy === null && v !== item) copy = list.slice(0, i)
        if (copy !== null) copy.push(v === undefined ? null : v)
      }
      return copy ?? value
    }
    const record = value as Record<string, unknown>
    const keys = Object.keys(record)
    let out: Record<string, unknown> | null = null
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]
      let v: unknown
      let readable = true
      try {
        v = record[key]
      } catch {
        readable = false
      }
      const redacted = !readable
        ? undefined
        : isSensitiveField(key)
          ? maskNamedValue(v, text)
          : walkShared(v, text, depth + 1, path)
      const name = readable ? text(key) : key
      if (out === null && (!readable || name !== key || redacted !== v)) {
        // The first change: the keys before it go into the copy as they are.
        out = {}
        for (let j = 0; j < i; j++) {
          try {
            const before = record[keys[j]]
            if (before !== undefined && typeof before !== 'function' && typeof before !== 'symbol')
              define(out, keys[j], before)
          } catch {
            // A getter that throws now is left out, as `walk` leaves it out.
          }
        }
      }
      if (
        out !== null &&
        redacted !== undefined &&
        typeof redacted !== 'function' &&
        typeof redacted !== 'symbol'
      )
        define(out, name, redacted)
    }
    return out ?? value
  } catch {
    return '[unserialisable]'
  } finally {
    path.pop()
  }
}

/**
 * `JSON.stringify(redactAuditRecord(record, secrets))`, cheaper: the parts of the record the layers leave as they
 * are (most bodies) are serialised in place instead of being copied first. For plain data, as `JSON.parse` and
 * object literals make it (audit records are): a part left in place is read a second time by `JSON.stringify`, so
 * a getter that answers differently the second time would not be redacted; `redactAuditRecord` reads once.
 */
export function redactAuditRecordToJson(record: AuditRecord, secrets: readonly unknown[] = []): string {
  const text = createTextRedactor(secrets)
  return JSON.stringify(walkShared(prepareRecord(record, text), text, 0, []))
}
