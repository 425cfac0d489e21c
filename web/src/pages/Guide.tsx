import { Card, Table } from '@arco-design/web-react'
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
        <Table
          rowKey="client"
          pagination={false}
          border={false}
          scroll={{ x: true }}
          data={BASE_URLS}
          data-testid="guide-base-urls"
          columns={[
            { title: t('guide.client'), dataIndex: 'client', render: (v: TKey) => t(v) },
            {
              title: t('guide.baseUrl'),
              dataIndex: 'path',
              render: (p: string) => <code className="mono nowrap">{`${origin}${p}`}</code>,
            },
            {
              title: t('guide.keyHeader'),
              dataIndex: 'key',
              render: (k: string) => <code className="mono nowrap">{k}</code>,
            },
          ]}
        />
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
