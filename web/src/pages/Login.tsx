import { useState } from 'react'
import { Alert, Button, Form, Input } from '@arco-design/web-react'
import { IconLock, IconUser } from '@arco-design/web-react/icon'
import { Link, Navigate, useLocation, useNavigate } from 'react-router'
import { api, errorMessage } from '../api/client.ts'
import { loginBody } from '../api/contracts.ts'
import type { LoginResponse } from '../api/types.ts'
import { useAuth } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { validateBody } from '../components/validate.ts'
import { LangSwitch } from '../components/LangSwitch.tsx'

export default function Login() {
  const { t } = useI18n()
  const [form] = Form.useForm()
  const signedIn = useAuth((s) => s.username)
  const login = useAuth((s) => s.login)
  const nav = useNavigate()
  const loc = useLocation()
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const from = (loc.state as { from?: string } | null)?.from
  const target = from && from !== '/login' ? from : '/home'

  if (signedIn) return <Navigate to={target} replace />

  const submit = async () => {
    setError(null)
    try {
      await form.validate()
    } catch {
      return
    }
    const body = validateBody(
      loginBody,
      { username: form.getFieldValue('username') ?? '', password: form.getFieldValue('password') ?? '' },
      form,
    )
    if (!body) return
    setBusy(true)
    try {
      const res = await api.post<LoginResponse>('/auth/login', body)
      login(res.data.username ?? body.username.trim(), res.data.role)
      void nav(target, { replace: true })
    } catch (e) {
      setError(errorMessage(e, t('login.failed')))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="login-bg">
      <div className="login-top">
        <Link to="/pricing">
          <Button type="text" size="small">
            {t('nav.pricing')}
          </Button>
        </Link>
        <LangSwitch />
      </div>
      <div className="login-card">
        <h1>
          <span className="logo-mark">A</span>
          {t('app.name')}
        </h1>
        <p className="muted" style={{ marginTop: 0, marginBottom: 24 }}>
          {t('login.subtitle')}
        </p>
        {error ? (
          <Alert type="error" content={error} style={{ marginBottom: 16 }} data-testid="login-error" />
        ) : null}
        <Form form={form} layout="vertical" onSubmit={() => void submit()} autoComplete="on">
          <Form.Item
            label={t('login.username')}
            field="username"
            rules={[{ required: true, message: t('v.required') }]}
          >
            <Input
              prefix={<IconUser />}
              placeholder={t('login.usernamePlaceholder')}
              autoComplete="username"
              data-testid="login-username"
            />
          </Form.Item>
          <Form.Item
            label={t('login.password')}
            field="password"
            rules={[{ required: true, message: t('v.required') }]}
          >
            <Input.Password
              prefix={<IconLock />}
              placeholder={t('login.passwordPlaceholder')}
              autoComplete="current-password"
              data-testid="login-password"
            />
          </Form.Item>
          <Button type="primary" long htmlType="submit" loading={busy} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
        <p className="muted" style={{ fontSize: 12, marginTop: 16, marginBottom: 0 }}>
          {t('login.hint')}
        </p>
      </div>
    </div>
  )
}
