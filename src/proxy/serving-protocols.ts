import type { ProtocolId } from '../protocol/protocol-id.ts'
import type { Surface } from '../protocol/surface.ts'
import { countDialectOfSurface, dialectOfSurface } from '../protocol/translate/surface-dialect.ts'
import { servingProtocols } from '../protocol/translate/upstream-dialect.ts'

const bySurface = new Map<Surface, ReadonlySet<ProtocolId>>()

/**
 * The protocols whose channels may answer a request on this surface (docs/translation.md › Routing): every protocol
 * the client's dialect translates to, for the surfaces that translate (chat, Responses, Messages, generateContent
 * and the token counts); only its own for the rest (embeddings, images, audio, moderation). Computed once per
 * surface.
 */
export function servingProtocolsOf(surface: Surface): ReadonlySet<ProtocolId> {
  let set = bySurface.get(surface)
  if (!set) {
    const dialect = dialectOfSurface(surface) ?? countDialectOfSurface(surface)
    set = new Set(dialect ? servingProtocols(dialect) : [surface.protocol])
    bySurface.set(surface, set)
  }
  return set
}
