import { Button, Result } from '@arco-design/web-react'
import { useNavigate } from 'react-router'
import { useI18n } from '../i18n/index.ts'

/** A status page with a way back: `to` is where the button leads. */
function StatusPage(props: { status: '403' | '404'; text: string; to: string; testId?: string }) {
  const { t } = useI18n()
  const nav = useNavigate()
  return (
    <Result
      status={props.status}
      title={props.status}
      subTitle={props.text}
      extra={
        <Button type="primary" onClick={() => void nav(props.to)}>
          {t('status.backHome')}
        </Button>
      }
      data-testid={props.testId}
    />
  )
}

export function Forbidden() {
  const { t } = useI18n()
  return <StatusPage status="403" text={t('status.forbidden')} to="/dashboard" testId="page-403" />
}

export function NotFound() {
  const { t } = useI18n()
  return <StatusPage status="404" text={t('status.notFound')} to="/" />
}
