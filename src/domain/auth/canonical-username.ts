/**
 * One account, one name. Usernames are compared, stored and throttled in one canonical form, and a new name may
 * not look like an existing one. See the README, "Logins and sessions".
 *
 * Pure: no IO.
 */

/** The break-glass login name. No user may ever hold it, in any case or Unicode form (see `isReservedUsername`). */
export const RESERVED_USERNAME = '_admin_fallback'

// Zero-width joiners, soft hyphens, variation selectors and the like: invisible, so they must not make a new name.
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu

/**
 * NFKC, invisible characters removed, full case fold, NFKC again, trimmed: `ＶＩＣＴＩＭ`, ` Victim ` and
 * `vic\u200btim` are all `victim`; `STRASSE` and `straße` are one name too.
 *
 * JavaScript has no case-fold; lower → upper → lower folds what plain lower-casing misses (ß → ss, final sigma →
 * sigma, ſ → s) and leaves scripts without case (Chinese, Japanese, Arabic...) as they are.
 */
export function canonicalUsername(raw: string): string {
  const once = raw.normalize('NFKC').replace(IGNORABLE, '')
  return once.toLowerCase().toUpperCase().toLowerCase().normalize('NFKC').trim()
}

/**
 * Letters of other scripts that look like a Latin letter in common fonts, mapped to that letter (the
 * Cyrillic/Greek/Latin-extended part of Unicode TR39's confusables, for lower case, which is what a canonical
 * name holds). Fullwidth and other compatibility forms are already folded by NFKC.
 */
const LOOKALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  г: 'r',
  е: 'e',
  ё: 'e',
  з: '3',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  п: 'n',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ь: 'b',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ӏ: 'l',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  ҽ: 'e',
  ɡ: 'g',
  // Greek
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  σ: 'o',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
  ϳ: 'j',
  ϱ: 'p',
  ϵ: 'e',
  // Latin letters that pass for plain ASCII ones
  ı: 'i',
  ȷ: 'j',
  ɑ: 'a',
  ɩ: 'i',
  ɪ: 'i',
  ʏ: 'y',
  ᴀ: 'a',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ᴋ: 'k',
  ᴍ: 'm',
  ᴏ: 'o',
  ᴘ: 'p',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ᴢ: 'z',
}

/**
 * What a canonical name looks like: each look-alike letter replaced by the Latin letter it passes for. Two names
 * with one skeleton cannot both exist (`аdmin` with a Cyrillic а next to `admin`). Names in any one script keep
 * a skeleton of their own: `张伟` is `张伟`, `иван` only collides with another spelling of itself.
 */
export function usernameSkeleton(canonical: string): string {
  let out = ''
  for (const ch of canonical) out += LOOKALIKES[ch] ?? ch
  return out
}

/** The break-glass name in any case, Unicode form or look-alike spelling. */
export function isReservedUsername(raw: string): boolean {
  const canonical = canonicalUsername(raw)
  return canonical === RESERVED_USERNAME || usernameSkeleton(canonical) === RESERVED_USERNAME
}
