import { request } from 'undici'
import type { ProviderId } from '../../providers/provider-adapter.ts'
import { adapterFor } from '../../providers/registry.ts'
import { AppError } from '../../domain/errors.ts'
import { assertAllowedUpstream } from './check-upstream-address.ts'

export interface ChannelTarget {
  provider: ProviderId
  baseUrl: string
  apiKey: string
  extraHeaders: Record<string, string>
}

/** Upstream error text is summarised and scrubbed: it may quote the channel key or an internal address. */
function scrub(text: string, secret: string): string {
  let out = text.slice(0, 300)
  if (secret) out = out.split(secret).join('[redacted]')
  return out
    .replace(/sk-[A-Za-z0-9_-]{8,}/g, 'sk-[redacted]')
    .replace(/AIza[0-9A-Za-z_-]{20,}/g, '[redacted]')
}

async function call(target: ChannelTarget, method: 'GET' | 'POST', url: string, body?: unknown) {
  await assertAllowedUpstream(url)
  const adapter = adapterFor(target.provider)
  try {
    const res = await request(url, {
      method,
      headers: {
        'content-type': 'application/json',
        ...target.extraHeaders,
        ...adapter.authHeaders(target.apiKey),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    })
    const text = await res.body.text()
    return { status: res.statusCode, text }
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error'
    throw new AppError('upstream_error', `Could not reach the upstream (${code})`)
  }
}

export function createChannelUpstream() {
  return {
    async fetchModels(target: ChannelTarget): Promise<string[]> {
      const adapter = adapterFor(target.provider)
      const { status, text } = await call(target, 'GET', adapter.modelsUrl(target.baseUrl))
      if (status < 200 || status >= 300) {
        throw new AppError('upstream_error', `Upstream answered ${status}: ${scrub(text, target.apiKey)}`)
      }
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        throw new AppError('upstream_error', 'Upstream model list is not JSON')
      }
      return [...new Set(adapter.parseModelList(json))].slice(0, 5000)
    },
    async probe(
      target: ChannelTarget,
      model: string,
    ): Promise<{ ok: boolean; status: number; latency_ms: number; message: string }> {
      const adapter = adapterFor(target.provider)
      const { url, body } = adapter.probeRequest(target.baseUrl, model)
      const started = Date.now()
      const { status, text } = await call(target, 'POST', url, body)
      const ok = status >= 200 && status < 300
      return { ok, status, latency_ms: Date.now() - started, message: ok ? 'ok' : scrub(text, target.apiKey) }
    },
  }
}
export type ChannelTester = ReturnType<typeof createChannelUpstream>
