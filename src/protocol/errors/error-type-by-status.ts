/**
 * A protocol's error name for an HTTP status: the table's entry, else the 5xx or 4xx fallback. Each protocol
 * folder declares its own table (`format-*-error.ts`).
 */
export function errorTypeByStatus(
  table: Readonly<Record<number, string>>,
  fallback: { server: string; client: string },
  status: number,
): string {
  return table[status] ?? (status >= 500 ? fallback.server : fallback.client)
}
