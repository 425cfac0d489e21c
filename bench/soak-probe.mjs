/**
 * The soak's window into the gateway (issue 20), loaded with `node --import bench/soak-probe.mjs` by
 * bench/soak.ts only: once a second it appends the process's resident memory, V8 heap used, active handles
 * (process.getActiveResourcesInfo) and event-loop delay to `$SOAK_PROBE_DIR/<pid>.jsonl`. A file, not an
 * endpoint: nothing is added to what the gateway serves, and without SOAK_PROBE_DIR it does nothing. Cluster
 * workers inherit the flag and write their own file.
 */
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import process from 'node:process'
import { setInterval } from 'node:timers'

const dir = process.env.SOAK_PROBE_DIR
if (dir) {
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const file = join(dir, `${process.pid}.jsonl`)
  setInterval(() => {
    const memory = process.memoryUsage()
    const sample = {
      t: Date.now(),
      pid: process.pid,
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      handles: process.getActiveResourcesInfo().length,
      // Nanoseconds past the 10 ms sampling interval, over the last second.
      delayMeanMs: delay.mean / 1e6,
      delayP99Ms: delay.percentile(99) / 1e6,
    }
    delay.reset()
    appendFileSync(file, `${JSON.stringify(sample)}\n`)
  }, 1000).unref()
}
