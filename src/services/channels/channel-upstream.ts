import { request } from 'undici'
import type { ProtocolId } from '../../protocol/protocol-adapter.ts'
import { protocols } from '../../protocol/protocols.ts'
import { AppError } from '../../domain/errors.ts'
import { assertAllowedUpstream, resolveWithSystem, type ResolveHost } from './check-upstream-address.ts'
import { buildUpstreamDispatcher } from './guard-upstream-lookup.ts'

export interface ChannelTarget {
  provider: ProtocolId
  baseUrl: string
  apiKey: string
  extraHeaders: Record<string, string>
  proxyUrl: string | null
  connectTimeoutMs: number | null
}

/** Upstream error text is summarised and scrubbed: it may quote the channel key or an internal address. */
function scrub(text: string, secret: string): string {
  let out = text.slice(0, 300)
  if (secret) out = out.split(secret).join('[redacted]')
  return out
    .replace(/sk-[A-Za-z0-9_-]{8,}/g, 'sk-[redacted]')
    .replace(/AIza[0-9A-Za-z_-]{20,}/g, '[redacted]')
}

async function call(
  resolve: ResolveHost,
  target: ChannelTarget,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
) {
  const adapter = protocols[target.provider]
  // The channel's own route (its proxy, every connection's address checked), never the global dispatcher.
  const dispatcher = buildUpstreamDispatcher({
    proxyUrl: target.proxyUrl,
    connectTimeoutMs: target.connectTimeoutMs ?? 10_000,
    resolve,
  })
  try {
    const res = await request(url, {
      dispatcher,
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
  } finally {
    void dispatcher.destroy().catch(() => undefined)
  }
}

/** Admin calls to a channel's provider (model list, test request), and the save-time address check. */
export function createChannelUpstream(opts: { resolve?: ResolveHost } = {}) {
  const resolve = opts.resolve ?? resolveWithSystem
  return {
    /** 400 naming `field` unless the URL's host resolves, and only to allowed addresses. */
    checkAddress: (url: string, field: string) => assertAllowedUpstream(url, field, resolve),
    async fetchModels(target: ChannelTarget): Promise<string[]> {
      const adapter = protocols[target.provider]
      const { status, text } = await call(resolve, target, 'GET', adapter.modelsUrl(target.baseUrl))
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
      const adapter = protocols[target.provider]
      const { url, body } = adapter.probeRequest(target.baseUrl, model)
      const started = Date.now()
      const { status, text } = await call(resolve, target, 'POST', url, body)
      const ok = status >= 200 && status < 300
      return { ok, status, latency_ms: Date.now() - started, message: ok ? 'ok' : scrub(text, target.apiKey) }
    },
  }
}
export type ChannelTester = ReturnType<typeof createChannelUpstream>
