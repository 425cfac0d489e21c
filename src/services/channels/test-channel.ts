import { AppError } from '../../domain/errors.ts'
import { parseJson } from '../../infra/db/convert-row-values.ts'
import { channelTarget, getChannelRow, recordProbe, type ChannelDeps } from './channel-service.ts'
import type { ChannelTester } from './channel-upstream.ts'

export interface ChannelTestResult {
  ok: boolean
  status: number
  latency_ms: number
  message: string
  /** The model asked for (before the channel's mapping); absent when the channel has none. */
  model?: string
}

/**
 * Sends a one-token request through the channel without recording anything: `model`, else the channel's first
 * model, else its first mapped alias, sent as the upstream name the mapping gives it. Unreachable (refused, DNS,
 * timeout) and "no models" are failed tests with their reason, not crashes.
 */
export async function probeChannel(
  deps: ChannelDeps,
  tester: ChannelTester,
  id: string,
  model?: string,
): Promise<ChannelTestResult> {
  const row = await getChannelRow(deps, id)
  const mapping = parseJson<Record<string, string>>(row.model_mapping, {})
  const chosen = model ?? parseJson<string[]>(row.models, [])[0] ?? Object.keys(mapping)[0]
  if (!chosen) {
    return {
      ok: false,
      status: 0,
      latency_ms: 0,
      message: 'The channel has no models; fetch or add models first',
    }
  }
  try {
    return { ...(await tester.probe(channelTarget(deps, row), mapping[chosen] ?? chosen)), model: chosen }
  } catch (err) {
    if (!(err instanceof AppError)) throw err
    return { ok: false, status: 0, latency_ms: 0, message: err.message, model: chosen }
  }
}

/**
 * Tests the channel and records the outcome as its health (a failure is unhealthy with the reason). The one
 * implementation behind the CLI and the admin route: the route runs `probeChannel` and `recordProbe` itself only
 * to write the health and its audit row in one transaction.
 */
export async function testChannel(
  deps: ChannelDeps,
  tester: ChannelTester,
  id: string,
  model?: string,
): Promise<ChannelTestResult> {
  const result = await probeChannel(deps, tester, id, model)
  await recordProbe(deps, id, result)
  return result
}
