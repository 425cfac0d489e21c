/**
 * RFC 4515 escaping for a value placed inside a search filter, e.g. `(uid=${escapeLdapFilterValue(name)})`.
 *
 * Only the five characters RFC 4515 reserves are escaped; everything else (UTF-8 included) is a valid
 * assertion value as is. Without this, `*` matches every entry and `*)(uid=*` rewrites the filter.
 * This is NOT DN escaping: a value that goes into a DN needs escapeLdapDnValue instead.
 */
const FILTER_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\5c',
  '*': '\\2a',
  '(': '\\28',
  ')': '\\29',
  '\0': '\\00',
}

export function escapeLdapFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (ch) => FILTER_ESCAPES[ch] ?? ch)
}
