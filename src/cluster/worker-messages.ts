/** The IPC service a worker asks for the cluster's metrics (the primary aggregates every worker's registry). */
export const METRICS_SERVICE = 'metrics'

/** A worker listens: it tells the primary, with its instance id (whose holds the primary frees if it dies). */
export interface WorkerReady {
  gw: 'ready'
  instanceId: string
}

export const isWorkerReady = (m: unknown): m is WorkerReady => (m as WorkerReady | null)?.gw === 'ready'

export function workerReady(instanceId: string): void {
  const message: WorkerReady = { gw: 'ready', instanceId }
  process.send?.(message)
}
