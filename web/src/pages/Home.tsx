import { Link } from 'react-router'
import { Button, Card } from '@arco-design/web-react'
import { IconBook, IconSafe } from '@arco-design/web-react/icon'
import { useAuth } from '../store/auth.ts'
import { useI18n, type TKey } from '../i18n/index.ts'
import { ClientGuide } from '../components/ClientGuide.tsx'

const STEPS: { title: TKey; text: TKey }[] = [
  { title: 'home.step1', text: 'home.step1Text' },
  { title: 'home.step2', text: 'home.step2Text' },
  { title: 'home.step3', text: 'home.step3Text' },
]

/** The landing page after login: create a key → pick a tool → copy the settings. */
export default function Home() {
  const { t } = useI18n()
  const username = useAuth((s) => s.username) ?? ''
  return (
    <div className="page" data-testid="page-home">
      <div className="page-head">
        <div>
          <h2>{t('home.welcome', { name: username })}</h2>
          <div className="muted">{t('home.intro')}</div>
        </div>
        <div className="toolbar">
          <Link to="/apikeys">
            <Button type="primary" icon={<IconSafe />} data-testid="home-create-key">
              {t('home.createKey')}
            </Button>
          </Link>
          <Link to="/guide">
            <Button icon={<IconBook />} data-testid="home-guide">
              {t('home.fullGuide')}
            </Button>
          </Link>
        </div>
      </div>
      <div className="guide-steps">
        {STEPS.map((s, i) => (
          <Card key={s.title} size="small">
            <div className="guide-step">
              <span className="guide-step-num">{i + 1}</span>
              <div>
                <div className="guide-step-title">{t(s.title)}</div>
                <div className="muted">{t(s.text)}</div>
              </div>
            </div>
          </Card>
        ))}
      </div>
      <ClientGuide idPrefix="home" />
    </div>
  )
}
