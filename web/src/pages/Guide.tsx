import { Card } from '@arco-design/web-react'
import { useI18n, type TKey } from '../i18n/index.ts'
import { normaliseOrigin } from '../lib/client-settings.ts'
import { ClientGuide } from '../components/ClientGuide.tsx'

/** docs/clients.md's table: each SDK appends its own path, so the base URL differs per client. */
const BASE_URLS: { client: TKey; path: string; key: string }[] = [
  { client: 'guide.row.openai', path: '/v1', key: 'Authorization: Bearer sk-…' },
  { client: 'guide.row.anthropic', path: '', key: 'x-api-key: sk-… (Authorization: Bearer)' },
  { client: 'guide.row.google', path: '', key: 'x-goog-api-key: sk-…' },
  { client: 'guide.row.vercelOpenai', path: '/v1', key: 'Authorization: Bearer sk-…' },
  { client: 'guide.row.vercelAnthropic', path: '/v1', key: 'x-api-key: sk-…' },
  { client: 'guide.row.vercelGoogle', path: '/v1beta', key: 'x-goog-api-key: sk-…' },
]

const TROUBLE: TKey[] = ['guide.trouble401', 'guide.trouble404', 'guide.trouble402', 'guide.troubleRequestId']

/** How to point each client at this gateway (docs/clients.md, filled in). */
export default function Guide() {
  const { t } = useI18n()
  const origin = normaliseOrigin(window.location.origin)
  return (
    <div className="page" data-testid="page-guide">
      <div className="page-head">
        <div>
          <h2>{t('guide.title')}</h2>
          <div className="muted">{t('guide.intro')}</div>
        </div>
      </div>
      <ClientGuide idPrefix="guide" />
      <Card title={t('guide.baseUrls')} size="small">
        {/* A list, not a table: the URLs stay readable on a phone (they wrap instead of overlapping). */}
        <div className="guide-urls" data-testid="guide-base-urls">
          <div className="guide-url-row guide-url-head muted">
            <span>{t('guide.client')}</span>
            <span>{t('guide.baseUrl')}</span>
            <span>{t('guide.keyHeader')}</span>
          </div>
          {BASE_URLS.map((r) => (
            <div key={r.client} className="guide-url-row">
              <span>{t(r.client)}</span>
              <code className="mono">{`${origin}${r.path}`}</code>
              <code className="mono">{r.key}</code>
            </div>
          ))}
        </div>
        <div className="muted guide-help">{t('guide.anyHeader')}</div>
      </Card>
      <Card title={t('guide.trouble')} size="small">
        <ul className="guide-list">
          {TROUBLE.map((k) => (
            <li key={k}>{t(k)}</li>
          ))}
        </ul>
      </Card>
    </div>
  )
}
