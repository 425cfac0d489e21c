import type { ErrorCode } from '../domain/errors.ts'
import { newTimeOrderedId } from '../infra/ids.ts'
import { sendProxyError } from './send-proxy-error.ts'
import { recordOutcome } from './record-outcome.ts'
import { CLIENT_CLOSED, createOutcome, type ProxyDeps, type ProxyRequest } from './proxy-types.ts'

const NO_BODY = Buffer.alloc(0)

/**
 * A request refused before it reaches the proxy (body too large, undecodable): answered in the client's error
 * shape with a request id, and recorded like any rejection — metadata only, as nobody was authenticated. An upload
 * its client abandoned (CLIENT_CLOSED) is only recorded. `arrivedAt` (`performance.now()` when the request's
 * headers arrived) dates the record from the request's arrival, so an upload refused or abandoned after a while
 * shows how long it ran.
 */
export function rejectBeforeProxy(
  deps: ProxyDeps,
  req: Pick<ProxyRequest, 'surface' | 'method' | 'url' | 'headers' | 'ip' | 'res'> & { arrivedAt?: number },
  status: number,
  code: ErrorCode,
  message: string,
): void {
  // Someone else already answered (and recorded) this request.
  if (req.res.headersSent) return
  const requestId = newTimeOrderedId()
  const elapsed = req.arrivedAt === undefined ? 0 : Math.max(0, performance.now() - req.arrivedAt)
  const outcome = createOutcome({ ...req, body: NO_BODY }, requestId, deps.clock.now() - Math.round(elapsed))
  outcome.durationMs = elapsed
  outcome.status = status
  outcome.errorCode = code
  outcome.rejection = code
  if (status === CLIENT_CLOSED) {
    // The client left during its upload: nobody to answer, only the record.
    req.res.destroy()
  } else {
    req.res.setHeader('x-request-id', requestId)
    sendProxyError(req.res, req.surface.protocol, status, code, message)
  }
  recordOutcome(deps, outcome)
}
