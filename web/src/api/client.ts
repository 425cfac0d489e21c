import axios, { AxiosError } from 'axios'
import { DASHBOARD_HEADER, useAuth } from '../store/auth.ts'
import type { ListResponse } from './types.ts'
import { codeMessageKeys, readApiError } from './read-api-error.ts'
import { t } from '../i18n/index.ts'
import { unitKeys } from '../components/labels.ts'

/**
 * The one axios client. The session travels as the HttpOnly cookie the login set (same origin, so the browser
 * sends it); the dashboard header marks every request as the dashboard's own. Any 401 is a logout (the route
 * guard then shows /login).
 */
export const api = axios.create({ baseURL: '/', timeout: 30_000, headers: { ...DASHBOARD_HEADER } })

api.interceptors.response.use(
  (res) => res,
  (err: unknown) => {
    if (err instanceof AxiosError && err.response?.status === 401) {
      const url = err.config?.url ?? ''
      const isLogin = url.includes('/auth/login')
      // Clearing the session is enough: the route guard, subscribed to the store, sends the user to /login.
      if (!isLogin && useAuth.getState().username) useAuth.getState().logout()
    }
    return Promise.reject(err instanceof Error ? err : new Error(String(err)))
  },
)

/**
 * The server's refusal `{"error":{"code","message"}}` for forms and toasts: in the page's language when the code
 * says it all, else the server's message; without one, a sentence in the page's language, never a bare
 * "HTTP 500" or "Timeout".
 */
export function errorMessage(err: unknown, fallback?: string): string {
  const otherwise = fallback ?? t('error.requestFailed')
  if (err instanceof AxiosError) {
    const refusal = readApiError(err.response?.data)
    if (refusal) {
      const key = codeMessageKeys[refusal.code]
      return key ? t(key) : readableUnits(refusal.message)
    }
    if (err.response) return t('error.http', { status: err.response.status })
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') return t('error.timeout')
    if (err.code === 'ERR_NETWORK') return t('error.network')
    return otherwise
  }
  if (err instanceof Error) return err.message ? readableUnits(err.message) : otherwise
  return otherwise
}

const UNIT_NAME = new RegExp(`\\b(${Object.keys(unitKeys).join('|')})\\b`, 'g')

/** Price units as the pages name them ("input tokens"), not as the API spells them ("input_token"). */
function readableUnits(message: string): string {
  return message.replace(UNIT_NAME, (u) => t(unitKeys[u as keyof typeof unitKeys]))
}

/** Accept both `{data, total}` and a bare array. */
export function asList<T>(payload: unknown): ListResponse<T> {
  if (Array.isArray(payload)) return { data: payload as T[], total: payload.length }
  if (payload && typeof payload === 'object') {
    const p = payload as Partial<ListResponse<T>> & { total_count?: number; items?: T[] }
    const data = p.data ?? p.items ?? []
    return { data, total: p.total ?? p.total_count ?? data.length, page: p.page, page_size: p.page_size }
  }
  return { data: [], total: 0 }
}

export async function getList<T>(url: string, params?: Record<string, unknown>): Promise<ListResponse<T>> {
  const res = await api.get<unknown>(url, { params: clean(params) })
  return asList<T>(res.data)
}

/** Fetch every page of a list endpoint (bounded), for small admin lists and charts. */
export async function getAll<T>(
  url: string,
  params?: Record<string, unknown>,
  pageSize = 100,
  maxPages = 20,
): Promise<T[]> {
  const out: T[] = []
  for (let page = 1; page <= maxPages; page++) {
    const res = await getList<T>(url, { ...params, page, page_size: pageSize })
    out.push(...res.data)
    if (res.data.length < pageSize || out.length >= res.total) break
  }
  return out
}

/** Drop undefined/empty values from query params. */
export function clean(params?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!params) return undefined
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    out[k] = v
  }
  return out
}

/** Download an authenticated file through the client (so it carries the dashboard header). */
export async function download(
  url: string,
  params: Record<string, unknown> | undefined,
  filename: string,
): Promise<void> {
  const res = await api.get<Blob>(url, { params: clean(params), responseType: 'blob' })
  const href = URL.createObjectURL(res.data)
  const a = document.createElement('a')
  a.href = href
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(href), 1000)
}
