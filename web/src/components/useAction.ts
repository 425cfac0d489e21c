import { useCallback, useState } from 'react'
import { errorMessage } from '../api/client.ts'

export interface Action {
  /** Whether the action is running (its button shows loading). */
  busy: boolean
  /** The last run's error message, or a message set by the caller's own checks; null when none. */
  error: string | null
  setError: (message: string | null) => void
  /** Clear the error, run `fn` busy, and keep its thrown error as `error` (shown beside the form, not a toast). */
  run: (fn: () => Promise<unknown>) => Promise<void>
}

/** The busy flag and the shown error of one button's request (a form's save, a test, a redemption). */
export function useAction(): Action {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setError(null)
    setBusy(true)
    try {
      await fn()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }, [])
  return { busy, error, setError, run }
}
