import { asRecord } from '../usage/usage.ts'

/**
 * For a streamed OpenAI Chat Completions / Completions request that does not ask for usage, returns a
 * shallow copy of the body with `stream_options.include_usage: true` (other `stream_options` fields and
 * all other fields and their order kept). Returns `undefined` when nothing must change (not streamed, or
 * usage already requested): the caller then forwards the original bytes untouched, and a returned body
 * means the caller must strip the usage-only chunk (see `isUsageOnlyChunk`) before the client sees it.
 */
export function ensureIncludeUsage(body: unknown): Record<string, unknown> | undefined {
  const request = asRecord(body)
  if (!request || request.stream !== true) return undefined
  const options = asRecord(request.stream_options)
  if (options?.include_usage === true) return undefined
  return { ...request, stream_options: { ...options, include_usage: true } }
}
