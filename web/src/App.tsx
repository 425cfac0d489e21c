import { lazy, Suspense, useEffect, useMemo, type ReactNode } from 'react'
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router'
import { ConfigProvider, Spin, type ConfigProviderProps } from '@arco-design/web-react'
import { IconClose } from '@arco-design/web-react/icon'
import * as enUSLocale from '@arco-design/web-react/es/locale/en-US.js'
import * as zhCNLocale from '@arco-design/web-react/es/locale/zh-CN.js'
import type { Locale } from '@arco-design/web-react/es/locale/interface.js'
import { useAuth, isAdminRole } from './store/auth.ts'
import { usePrefs } from './store/prefs.ts'
import { AppLayout } from './layout/AppLayout.tsx'
import { Forbidden, NotFound } from './components/StatusPages.tsx'
import { useApplyTheme } from './components/ThemeSwitch.tsx'
import { translate } from './i18n/index.ts'

const Login = lazy(() => import('./pages/Login.tsx'))
const Pricing = lazy(() => import('./pages/Pricing.tsx'))
const Home = lazy(() => import('./pages/Home.tsx'))
const Guide = lazy(() => import('./pages/Guide.tsx'))
const Dashboard = lazy(() => import('./pages/Dashboard.tsx'))
const ApiKeys = lazy(() => import('./pages/ApiKeys.tsx'))
const Chat = lazy(() => import('./pages/Chat.tsx'))
const Logs = lazy(() => import('./pages/Logs.tsx'))
const Channels = lazy(() => import('./pages/Channels.tsx'))
const Groups = lazy(() => import('./pages/Groups.tsx'))
const Users = lazy(() => import('./pages/Users.tsx'))
const AllKeys = lazy(() => import('./pages/AllKeys.tsx'))
const Prices = lazy(() => import('./pages/Prices.tsx'))
const Vouchers = lazy(() => import('./pages/Vouchers.tsx'))
const RateLimits = lazy(() => import('./pages/RateLimits.tsx'))
const Audit = lazy(() => import('./pages/Audit.tsx'))

function RequireAuth({ children }: { children: ReactNode }) {
  const username = useAuth((s) => s.username)
  const loc = useLocation()
  if (!username) return <Navigate to="/login" replace state={{ from: loc.pathname + loc.search }} />
  return children
}

function AdminOnly({ children }: { children: ReactNode }) {
  const role = useAuth((s) => s.role)
  return isAdminRole(role) ? children : <Forbidden />
}

/** The locale object behind a module namespace (bundlers and TypeScript disagree on CJS/ESM default interop). */
function arcoLocale(mod: unknown): Locale {
  let m = mod as { default?: unknown; locale?: unknown } | undefined
  for (let i = 0; i < 3 && m && typeof m === 'object' && !('locale' in m) && 'default' in m; i++)
    m = m.default as typeof m
  const locale = m as unknown as Locale
  // Arco puts this text as aria-label on the page-size picker's plain <div>, where ARIA prohibits a name
  // (axe: aria-prohibited-attr, issue 19 #11); the picker's own text ("20 / page") says what it is.
  return { ...locale, Pagination: { ...locale.Pagination, pageSize: undefined } }
}

const locales = { en: arcoLocale(enUSLocale), zh: arcoLocale(zhCNLocale) }

const loading = (
  <div className="page-loading">
    <Spin size={28} />
  </div>
)

/**
 * Arco labels its modal and tag close buttons "Close" in every language: the page's own word instead (issue 19
 * #12). The modal's icon sits in Arco's clickable wrapper, so it needs only the name. Also what Arco's
 * components say to assistive technology where their defaults are wrong.
 */
function componentDefaults(label: string): ConfigProviderProps['componentConfig'] {
  return {
    Modal: { closeIcon: <IconClose role="button" aria-label={label} /> },
    Tag: { __closeIconProps: { 'aria-label': label } } as Record<string, unknown>,
    // An unbounded InputNumber's bounds came out as aria-valuemax="Infinity" and aria-valuemin="-Infinity",
    // which are not numbers (axe: aria-valid-attr-value, issue 19 #11). The bounds are optional for a
    // spinbutton and the form's own check tells the limits, so none are announced rather than wrong ones.
    InputNumber: { 'aria-valuemax': undefined, 'aria-valuemin': undefined },
  }
}

export function App() {
  const lang = usePrefs((s) => s.lang)
  useApplyTheme()
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
  }, [lang])
  const locale = locales[lang]
  const componentConfig = useMemo(() => componentDefaults(translate(lang, 'common.close')), [lang])
  return (
    <ConfigProvider locale={locale} componentConfig={componentConfig}>
      <BrowserRouter>
        <Suspense fallback={loading}>
          <Routes>
            <Route path="/login" element={<Login />} />
            <Route path="/pricing" element={<Pricing />} />
            <Route
              element={
                <RequireAuth>
                  <AppLayout />
                </RequireAuth>
              }
            >
              <Route index element={<Navigate to="/home" replace />} />
              <Route path="/home" element={<Home />} />
              <Route path="/guide" element={<Guide />} />
              <Route path="/dashboard" element={<Dashboard />} />
              <Route path="/apikeys" element={<ApiKeys />} />
              <Route path="/chat" element={<Chat />} />
              <Route path="/logs" element={<Logs />} />
              <Route
                path="/channels"
                element={
                  <AdminOnly>
                    <Channels />
                  </AdminOnly>
                }
              />
              <Route
                path="/groups"
                element={
                  <AdminOnly>
                    <Groups />
                  </AdminOnly>
                }
              />
              <Route
                path="/users"
                element={
                  <AdminOnly>
                    <Users />
                  </AdminOnly>
                }
              />
              <Route
                path="/all-keys"
                element={
                  <AdminOnly>
                    <AllKeys />
                  </AdminOnly>
                }
              />
              <Route
                path="/prices"
                element={
                  <AdminOnly>
                    <Prices />
                  </AdminOnly>
                }
              />
              <Route
                path="/vouchers"
                element={
                  <AdminOnly>
                    <Vouchers />
                  </AdminOnly>
                }
              />
              <Route
                path="/rate-limits"
                element={
                  <AdminOnly>
                    <RateLimits />
                  </AdminOnly>
                }
              />
              <Route
                path="/audit"
                element={
                  <AdminOnly>
                    <Audit />
                  </AdminOnly>
                }
              />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </ConfigProvider>
  )
}
