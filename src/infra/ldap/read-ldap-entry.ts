import type { Entry } from 'ldapts'

/** Attributes needed to name the user and fill the profile; asking for them explicitly keeps searches small. */
export const PROFILE_ATTRIBUTES = ['uid', 'sAMAccountName', 'displayName', 'cn', 'mail']

/**
 * First non-empty string value of an attribute. Attribute names are matched case-insensitively because
 * servers echo the schema's spelling (`samaccountname` vs `sAMAccountName`), not necessarily the request's.
 */
export function firstAttributeValue(entry: Entry, attribute: string): string | undefined {
  const wanted = attribute.toLowerCase()
  for (const [key, raw] of Object.entries(entry)) {
    if (key === 'dn' || key.toLowerCase() !== wanted) continue
    const values = Array.isArray(raw) ? raw : [raw]
    for (const value of values) {
      const text = typeof value === 'string' ? value : value.toString('utf8')
      if (text.trim() !== '') return text
    }
  }
  return undefined
}

export function readProfile(entry: Entry): { displayName?: string; email?: string } {
  const displayName = firstAttributeValue(entry, 'displayName') ?? firstAttributeValue(entry, 'cn')
  const email = firstAttributeValue(entry, 'mail')
  return { ...(displayName ? { displayName } : {}), ...(email ? { email } : {}) }
}
