import type { PageQuery } from '../contracts/common.ts'

export interface Page {
  limit: number
  offset: number
  page: number
  page_size: number
}

/** Accepts `page`/`page_size` (the original's dashboard) or `offset`/`limit`. */
export function resolvePage(query: PageQuery, defaultSize = 20): Page {
  const size = query.page_size ?? query.limit ?? defaultSize
  if (query.offset !== undefined)
    return { limit: size, offset: query.offset, page: Math.floor(query.offset / size) + 1, page_size: size }
  const page = query.page ?? 1
  return { limit: size, offset: (page - 1) * size, page, page_size: size }
}

export function paged<T>(data: T[], total: number, page: Page) {
  return { data, total, page: page.page, page_size: page.page_size }
}

/** An unpaged list's answer: every row, and their count as its total. */
export function whole<T>(data: T[]) {
  return { data, total: data.length }
}

/** A list route's answer: the page the query asks for (`defaultSize` rows unless it says), fetched and paged. */
export async function listPage<T>(
  query: PageQuery,
  defaultSize: number,
  fetch: (page: Page) => Promise<{ data: T[]; total: number }>,
) {
  const page = resolvePage(query, defaultSize)
  const r = await fetch(page)
  return paged(r.data, r.total, page)
}

/** `2026-12-31` means the end of that UTC day; a full timestamp means itself. */
export function parseExpiry(value: string | null | undefined): number | null {
  if (value === null || value === undefined) return null
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Date.parse(`${value}T23:59:59.999Z`)
  return Date.parse(value)
}
