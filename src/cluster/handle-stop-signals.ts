/**
 * SIGTERM and SIGINT start `stop` once (a second signal changes nothing: a terminal's Ctrl-C reaches the primary and
 * its workers together); the process exits 0 when it finished, 1 when it failed.
 */
export function handleStopSignals(
  stop: (signal: string) => Promise<void>,
  onError: (err: unknown) => void,
): void {
  let stopping = false
  const begin = (signal: string) => {
    if (stopping) return
    stopping = true
    stop(signal)
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        onError(err)
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => begin('SIGTERM'))
  process.on('SIGINT', () => begin('SIGINT'))
}
