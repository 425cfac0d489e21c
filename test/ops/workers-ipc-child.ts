// A stand-in cluster worker for workers-ipc.test.ts: admits `count` requests at once through the
// parent's limiter, settles each, takes and gives back a concurrency lease, and reports what it got.
import { createIpcRateLimiter } from '../../src/infra/cluster/create-ipc-rate-limiter.ts'

const limiter = createIpcRateLimiter()
const count = Number(process.env.ADMISSIONS)
const rules = [{ id: 'r', limitType: 'request_limit' as const, windowSec: 600, limit: 50 }]
const results = await Promise.all(
  Array.from({ length: count }, async (_, i) => {
    const r = await limiter.admit({
      scope: 'g:1:u:alice',
      rules,
      requestId: `q${i}`,
      estimate: { tokens: 10, costNano: 5n },
    })
    if (r.ok) await limiter.settle('g:1:u:alice', rules, `q${i}`, { tokens: 3, costNano: 2n })
    return r.ok
  }),
)
const lease = await limiter.acquireConcurrency('k:1', 1, 60)
const second = await limiter.acquireConcurrency('k:1', 1, 60)
await lease?.()
const afterRelease = await limiter.acquireConcurrency('k:1', 1, 60)
process.send!({
  admitted: results.filter(Boolean).length,
  usage: await limiter.usage('g:1:u:alice', rules[0]),
  leases: [lease !== null, second !== null, afterRelease !== null],
})
