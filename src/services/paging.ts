import type { PageQuery } from '../contracts/common.ts'

export interface Page {
  limit: number
  offset: number
  page: number
  page_size: number
}

/** Accepts `page`/`page_size` (the original's dashboard) or `offset`/`limit`. */
export function resolvePage(q: PageQuery, defaultSize = 20): Page {
  const size = q.page_size ?? q.limit ?? defaultSize
  if (q.offset !== undefined)
    return { limit: size, offset: q.offset, page: Math.floor(q.offset / size) + 1, page_size: size }
  const page = q.page ?? 1
  return { limit: size, offset: (page - 1) * size, page, page_size: size }
}

export function paged<T>(data: T[], total: number, p: Page) {
  return { data, total, page: p.page, page_size: p.page_size }
}

/** `2026-12-31` means the end of that UTC day; a full timestamp means itself. */
export function parseExpiry(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T23:59:59.999Z`)
  return Date.parse(value)
}
