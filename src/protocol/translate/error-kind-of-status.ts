import type { IErrorKind } from './internal-model.ts'

/**
 * The kind an upstream error's HTTP status names on its own (translation-map §5), the same for every provider;
 * each codec first reads what its envelope says more precisely (a quota code, Anthropic's 402, Gemini's reasons).
 */
export function errorKindOfStatus(status: number): IErrorKind {
  if (status === 401) return 'authentication'
  if (status === 403) return 'permission'
  if (status === 404) return 'not_found'
  if (status === 408 || status === 504) return 'timeout'
  if (status === 413) return 'request_too_large'
  if (status === 429) return 'rate_limit'
  if (status === 503 || status === 529) return 'overloaded'
  if (status >= 500) return 'server'
  return 'invalid_request'
}
