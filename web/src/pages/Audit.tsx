import { useState } from 'react'
import { Button, Tag, type TableColumnProps } from '@arco-design/web-react'
import { IconSearch } from '@arco-design/web-react/icon'
import type { AuditEntry } from '../api/types.ts'
import { ListPage, timeColumn, usePagedList } from '../components/ListPage.tsx'
import { textFilters } from '../components/ListFilters.tsx'
import { useI18n } from '../i18n/index.ts'
import { JsonBlock } from '../components/JsonBlock.tsx'

function actionColor(action: string): string {
  if (/delete|revoke|remove|unlink/.test(action)) return 'red'
  if (/create|add|link/.test(action)) return 'green'
  if (/freeze|role|fallback/.test(action)) return 'orange'
  return 'arcoblue'
}

const mono = (v: string | null) => <span className="mono">{v ?? '-'}</span>

export default function Audit() {
  const { t } = useI18n()
  const [draft, setDraft] = useState({ actor: '', action: '' })
  const [filters, setFilters] = useState(draft)
  const list = usePagedList<AuditEntry>('/admin/audit', {
    actor: filters.actor || undefined,
    action: filters.action || undefined,
  })
  const apply = () => setFilters({ actor: draft.actor.trim(), action: draft.action.trim() })

  const columns: TableColumnProps<AuditEntry>[] = [
    timeColumn<AuditEntry>(t('logs.time'), 'created_at'),
    { title: t('audit.actor'), dataIndex: 'actor' },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      render: (v: string) => <Tag color={actionColor(v)}>{v}</Tag>,
    },
    { title: t('audit.target'), dataIndex: 'target', render: mono },
    { title: t('audit.ip'), dataIndex: 'ip', render: mono },
  ]
  const text = textFilters(draft, setDraft, apply)

  return (
    <ListPage<AuditEntry>
      title={t('audit.title')}
      testId="audit"
      list={list}
      rowKey="id"
      columns={columns}
      size="small"
      scrollX={800}
      expand={(r) =>
        r.summary === null || r.summary === undefined ? (
          <span className="muted">{t('audit.noSummary')}</span>
        ) : (
          <JsonBlock value={r.summary} maxHeight={240} />
        )
      }
      toolbar={
        <>
          {text('actor', t('audit.actor'), 150)}
          {text('action', t('audit.actionPrefix'), 170)}
          <Button type="primary" icon={<IconSearch />} onClick={apply}>
            {t('common.query')}
          </Button>
        </>
      }
    />
  )
}
