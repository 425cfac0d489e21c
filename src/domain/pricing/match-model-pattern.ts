/**
 * Model-name patterns of the price tables (docs/architecture.md, *Money › Pricing*): an exact name, or a glob
 * where `*` stands for any run of characters (possibly empty) anywhere: `gpt-4o*`, `claude-*-sonnet*`, `*`.
 * No other character is special.
 *
 * Both sides are trimmed and lower-cased, so `GPT-4o` priced by an admin still prices `gpt-4o`. Unlike the
 * original's substring match, `gpt-4` never prices `gpt-4o-mini`: only `gpt-4*` would.
 */
export interface ModelPattern {
  /** The normalised pattern text. */
  readonly text: string
  readonly isGlob: boolean
  /** Non-`*` characters: the more, the more specific the glob. */
  readonly literalLength: number
  readonly wildcardCount: number
  matches(normalisedModel: string): boolean
}

export function normalizeModelName(name: string): string {
  return name.trim().toLowerCase()
}

/** Compiles a (raw) pattern; an empty pattern is returned as null, since it must never match anything. */
export function compileModelPattern(raw: string): ModelPattern | null {
  const text = normalizeModelName(raw)
  if (text === '') return null
  const parts = text.split('*')
  const wildcardCount = parts.length - 1
  const literalLength = text.length - wildcardCount
  if (wildcardCount === 0) {
    return { text, isGlob: false, literalLength, wildcardCount, matches: (model) => model === text }
  }
  const head = parts[0]
  const tail = parts[parts.length - 1]
  const middle = parts.slice(1, -1).filter((p) => p !== '')
  return {
    text,
    isGlob: true,
    literalLength,
    wildcardCount,
    matches(model) {
      if (model.length < literalLength || !model.startsWith(head) || !model.endsWith(tail)) return false
      // Leftmost placement of each middle literal is optimal for `*`-only globs.
      const end = model.length - tail.length
      let pos = head.length
      for (const segment of middle) {
        const at = model.indexOf(segment, pos)
        if (at < 0 || at + segment.length > end) return false
        pos = at + segment.length
      }
      return pos <= end
    },
  }
}

/**
 * Orders globs most specific first: more literal characters, then fewer wildcards, then the pattern text
 * (so the winner never depends on database order).
 */
export function compareGlobSpecificity(a: ModelPattern, b: ModelPattern): number {
  if (a.literalLength !== b.literalLength) return b.literalLength - a.literalLength
  if (a.wildcardCount !== b.wildcardCount) return a.wildcardCount - b.wildcardCount
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0
}
