/**
 * The soak's window into the gateway (issue 20), loaded with `node --import bench/soak-probe.mjs` by
 * bench/soak.ts only: once a second it appends the process's resident memory, V8 heap used, active handles
 * (process.getActiveResourcesInfo) and event-loop delay to `$SOAK_PROBE_DIR/<pid>.jsonl`. A file, not an
 * endpoint: nothing is added to what the gateway serves, and without SOAK_PROBE_DIR it does nothing. Cluster
 * workers inherit the flag and write their own file.
 *
 * Every SOAK_PROBE_GC_SECONDS (default 5) the sample is taken right after a forced full garbage collection
 * (`heapAfterGc`, and `rssAfterGc` at that same moment). Heap used between collections is a sawtooth whose height is
 * the young generation and whatever old space has not been collected yet, so it says nothing about what the
 * gateway keeps; after a full collection only what is still reachable remains, which is what a leak grows.
 * `gc` is exposed to this module only (a context of its own), not to the gateway's code.
 */
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import process from 'node:process'
import { setInterval } from 'node:timers'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

const dir = process.env.SOAK_PROBE_DIR
if (dir) {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc')
  const gcEvery = Math.max(1, Number(process.env.SOAK_PROBE_GC_SECONDS ?? 5))
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  const file = join(dir, `${process.pid}.jsonl`)
  let tick = 0
  setInterval(() => {
    const before = process.memoryUsage()
    const sample = {
      t: Date.now(),
      pid: process.pid,
      rss: before.rss,
      heapUsed: before.heapUsed,
      heapTotal: before.heapTotal,
      external: before.external,
      handles: process.getActiveResourcesInfo().length,
      // Nanoseconds past the 10 ms sampling interval, over the last second (before this sample's collection).
      delayMeanMs: delay.mean / 1e6,
      delayP99Ms: delay.percentile(99) / 1e6,
    }
    if (++tick % gcEvery === 0) {
      gc()
      const after = process.memoryUsage()
      Object.assign(sample, { heapAfterGc: after.heapUsed, rssAfterGc: after.rss })
    }
    delay.reset()
    appendFileSync(file, `${JSON.stringify(sample)}\n`)
  }, 1000).unref()
}
