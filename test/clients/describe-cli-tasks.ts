import { afterAll, beforeAll, describe, it } from 'vitest'
import type { AgentDialect } from '../fake-upstream/agent-script.ts'
import { startProxyFixture, type ProxyFixture } from '../support/proxy-fixture.ts'
import { addAgentChannel, type AgentChannel, expectTaskDone, runAgentTask } from './agent-task.ts'
import { type CliId, type InstalledCli, installCli } from './install-cli.ts'

export interface CliTaskCase {
  name: string
  channel: AgentChannel
  /** The dialect the gateway must speak to that channel. */
  upstream: AgentDialect
}

/**
 * The tasks of one CLI, each on its own model served by one channel, through one gateway (SQLite). The CLI is
 * installed first (install-cli.ts); one that cannot be installed fails every case under CI=true, and elsewhere
 * (no registry) skips them saying why.
 */
export function describeCliTasks(id: CliId, title: string, cases: CliTaskCase[]): void {
  describe(title, () => {
    let f: ProxyFixture
    let cli: InstalledCli

    beforeAll(async () => {
      cli = installCli(id)
      f = await startProxyFixture('sqlite')
    }, 600_000)
    afterAll(async () => f?.close())

    it.for(cases)('$name', { timeout: 90_000 }, async (c, ctx) => {
      if (!cli.ok) {
        if (process.env.CI === 'true') throw new Error(cli.reason)
        ctx.skip(cli.reason)
        return
      }
      const channelId = await addAgentChannel(f, c.channel)
      const result = await runAgentTask(f, cli, c.channel.model, c.upstream)
      expectTaskDone(result, { cli: id, upstream: c.upstream, channelId, model: c.channel.model })
    })
  })
}
