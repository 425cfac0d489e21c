import { useCallback, useMemo, useState } from 'react'

export interface Editor<T> {
  /** Whether the form is open. */
  open: boolean
  /** The row being edited, or null for a new one. */
  editing: T | null
  /** Open the form for a new row. */
  create: () => void
  /** Open the form on `row`. */
  edit: (row: T) => void
  /** Close the form; `editing` stays until the next open, so a closing form keeps its title. */
  close: () => void
}

/** The open/editing state of a list page's create-or-edit form (a modal or a drawer). */
export function useEditor<T>(): Editor<T> {
  const [state, setState] = useState<{ open: boolean; editing: T | null }>({ open: false, editing: null })
  const create = useCallback(() => setState({ open: true, editing: null }), [])
  const edit = useCallback((row: T) => setState({ open: true, editing: row }), [])
  const close = useCallback(() => setState((s) => ({ ...s, open: false })), [])
  return useMemo(() => ({ ...state, create, edit, close }), [state, create, edit, close])
}
