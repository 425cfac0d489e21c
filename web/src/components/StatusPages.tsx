import { Button, Result } from '@arco-design/web-react'
import { useNavigate } from 'react-router'
import { useI18n } from '../i18n/index.ts'

export function Forbidden() {
  const { t } = useI18n()
  const nav = useNavigate()
  return (
    <Result
      status="403"
      title="403"
      subTitle={t('status.forbidden')}
      extra={
        <Button type="primary" onClick={() => void nav('/dashboard')}>
          {t('status.backHome')}
        </Button>
      }
      data-testid="page-403"
    />
  )
}

export function NotFound() {
  const { t } = useI18n()
  const nav = useNavigate()
  return (
    <Result
      status="404"
      title="404"
      subTitle={t('status.notFound')}
      extra={
        <Button type="primary" onClick={() => void nav('/')}>
          {t('status.backHome')}
        </Button>
      }
    />
  )
}
