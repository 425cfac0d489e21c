import { useCallback, useEffect, useState } from 'react'
import { Button, Card, Input, Message, Table, Tag, type TableColumnProps } from '@arco-design/web-react'
import { IconRefresh, IconSearch } from '@arco-design/web-react/icon'
import { errorMessage, getList } from '../api/client.ts'
import type { AuditEntry } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { dateTime } from '../lib/format.ts'
import { JsonBlock } from '../components/JsonBlock.tsx'

function actionColor(action: string): string {
  if (/delete|revoke|remove|unlink/.test(action)) return 'red'
  if (/create|add|link/.test(action)) return 'green'
  if (/freeze|role|fallback/.test(action)) return 'orange'
  return 'arcoblue'
}

export default function Audit() {
  const { t } = useI18n()
  const [rows, setRows] = useState<AuditEntry[]>([])
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [actor, setActor] = useState('')
  const [action, setAction] = useState('')
  const [filters, setFilters] = useState({ actor: '', action: '' })
  const [loading, setLoading] = useState(false)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      const r = await getList<AuditEntry>('/admin/audit', {
        page,
        page_size: pageSize,
        actor: filters.actor || undefined,
        action: filters.action || undefined,
      })
      setRows(r.data)
      setTotal(r.total)
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [page, pageSize, filters])

  useEffect(() => {
    void load()
  }, [load])

  const apply = () => {
    setPage(1)
    setFilters({ actor: actor.trim(), action: action.trim() })
  }

  const columns: TableColumnProps<AuditEntry>[] = [
    {
      title: t('logs.time'),
      dataIndex: 'created_at',
      render: (v: string) => <span className="nowrap">{dateTime(v)}</span>,
    },
    { title: t('audit.actor'), dataIndex: 'actor' },
    {
      title: t('audit.action'),
      dataIndex: 'action',
      render: (v: string) => <Tag color={actionColor(v)}>{v}</Tag>,
    },
    {
      title: t('audit.target'),
      dataIndex: 'target',
      render: (v: string | null) => <span className="mono">{v ?? '-'}</span>,
    },
    {
      title: t('audit.ip'),
      dataIndex: 'ip',
      render: (v: string | null) => <span className="mono">{v ?? '-'}</span>,
    },
  ]

  return (
    <div className="page" data-testid="page-audit">
      <div className="page-head">
        <h2>{t('audit.title')}</h2>
        <div className="toolbar">
          <Input
            style={{ width: 150 }}
            placeholder={t('audit.actor')}
            value={actor}
            onChange={setActor}
            onPressEnter={apply}
            allowClear
          />
          <Input
            style={{ width: 170 }}
            placeholder={t('audit.actionPrefix')}
            value={action}
            onChange={setAction}
            onPressEnter={apply}
            allowClear
          />
          <Button type="primary" icon={<IconSearch />} onClick={apply}>
            {t('common.query')}
          </Button>
          <Button icon={<IconRefresh />} onClick={() => void load()} aria-label={t('common.refresh')} />
        </div>
      </div>
      <Card>
        <Table<AuditEntry>
          rowKey="id"
          loading={loading}
          columns={columns}
          data={rows}
          scroll={{ x: 800 }}
          border={false}
          size="small"
          expandedRowRender={(r) =>
            r.summary === null || r.summary === undefined ? (
              <span className="muted">{t('audit.noSummary')}</span>
            ) : (
              <JsonBlock value={r.summary} maxHeight={240} />
            )
          }
          pagination={{
            current: page,
            pageSize,
            total,
            showTotal: true,
            sizeCanChange: true,
            onChange: (p, s) => {
              setPage(p)
              setPageSize(s)
            },
          }}
          noDataElement={<span className="muted">{t('common.noData')}</span>}
          data-testid="audit-table"
        />
      </Card>
    </div>
  )
}
