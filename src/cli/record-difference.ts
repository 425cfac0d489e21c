/** One disagreement between the records of money that reconcile compares. */
export interface RecordDifference {
  kind:
    | 'ledger_missing'
    | 'ledger_amount_mismatch'
    | 'ledger_without_usage'
    | 'ledger_duplicate'
    | 'user_reserved_mismatch'
    | 'key_reserved_mismatch'
    | 'audit_missing'
    | 'audit_unreadable'
    | 'audit_mismatch'
    | 'usage_missing'
  /** The request (usage row, ledger row, audit record) it is about, or the user or key. */
  subject: string
  detail: string
}
