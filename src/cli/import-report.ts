/** What an import wrote, found already present, left out, and what behaves differently from the original. */
export const IMPORT_KINDS = [
  'users',
  'groups',
  'memberships',
  'channels',
  'group_channels',
  'rate_limits',
  'prices',
  'group_prices',
  'vouchers',
  'keys',
] as const
export type ImportKind = (typeof IMPORT_KINDS)[number]

export interface ImportReport {
  /** Rows written. */
  imported: Record<ImportKind, number>
  /** Rows already present (same name, code, key or identical rule), kept as they are. */
  existing: Record<ImportKind, number>
  /** Rows not imported, and why. */
  skipped: { kind: ImportKind; id: string; reason: string }[]
  /** Imported, but behaving differently from the original in a way the operator should know. */
  warnings: string[]
}

export function newImportReport(): ImportReport {
  return {
    imported: Object.fromEntries(IMPORT_KINDS.map((k) => [k, 0])) as ImportReport['imported'],
    existing: Object.fromEntries(IMPORT_KINDS.map((k) => [k, 0])) as ImportReport['existing'],
    skipped: [],
    warnings: [],
  }
}
