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
 * Sends a one-token request through the channel and records its health: `model`, else the channel's first model,
 * else its first mapped alias, sent as the upstream name the mapping gives it. A channel that cannot be reached
 * is recorded unhealthy and reported as a failed test.
 */
export async function testChannel(
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
  let result: Omit<ChannelTestResult, 'model'>
  try {
    result = await tester.probe(channelTarget(deps, row), mapping[chosen] ?? chosen)
  } catch (err) {
    // Unreachable (refused, DNS, timeout) is the answer of the test, and the channel's health, not a crash.
    if (!(err instanceof AppError)) throw err
    result = { ok: false, status: 0, latency_ms: 0, message: err.message }
  }
  await recordProbe(deps, id, result.ok, result.message)
  return { ...result, model: chosen }
}
