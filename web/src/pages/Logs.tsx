import { useEffect, useState } from 'react'
import {
  Button,
  Card,
  DatePicker,
  Input,
  Message,
  Select,
  Table,
  Tag,
  Tooltip,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconRefresh, IconSearch } from '@arco-design/web-react/icon'
import { errorMessage, getList } from '../api/client.ts'
import type { UsageLog } from '../api/types.ts'
import { isAdminRole, useAuth } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { browserTimeZone, dateTime, lastDays, num } from '../lib/format.ts'
import { LogDetail } from './logs/LogDetail.tsx'

function statusColor(s: number | null | undefined): string {
  if (!s) return 'gray'
  if (s >= 500) return 'red'
  if (s >= 400) return 'orange'
  return 'green'
}

interface Filters {
  range: [string, string]
  model: string
  status?: string
  username: string
}

export default function Logs() {
  const { t } = useI18n()
  const admin = isAdminRole(useAuth((s) => s.role))
  const [draft, setDraft] = useState<Filters>(() => ({ range: lastDays(1), model: '', username: '' }))
  const [filters, setFilters] = useState<Filters>(draft)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [rows, setRows] = useState<UsageLog[]>([])
  const [total, setTotal] = useState(0)
  const [loading, setLoading] = useState(false)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    let live = true
    setLoading(true)
    getList<UsageLog>(admin ? '/admin/logs' : '/user/logs', {
      page,
      page_size: pageSize,
      model: filters.model.trim() || undefined,
      status: filters.status,
      start_date: filters.range[0],
      end_date: filters.range[1],
      timezone: browserTimeZone(),
      username: admin ? filters.username.trim() || undefined : undefined,
    })
      .then((r) => {
        if (!live) return
        setRows(r.data)
        setTotal(r.total)
      })
      .catch((e: unknown) => live && Message.error(errorMessage(e)))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [admin, filters, page, pageSize, tick])

  const columns: TableColumnProps<UsageLog>[] = [
    {
      title: t('logs.requestId'),
      dataIndex: 'request_id',
      render: (v: string) => (
        <Tooltip content={v}>
          <span className="mono">{v.slice(0, 8)}</span>
        </Tooltip>
      ),
    },
    ...(admin
      ? [{ title: t('common.username'), dataIndex: 'username', render: (v: string | null) => v ?? '-' }]
      : []),
    { title: t('logs.keyName'), dataIndex: 'token_name', render: (v: string | null) => v ?? '-' },
    {
      title: t('common.model'),
      dataIndex: 'model',
      render: (v: string | null, r) => (
        <span className="nowrap">
          {v ?? '-'}
          {r.upstream_model && r.upstream_model !== v ? (
            <div className="muted" style={{ fontSize: 11 }}>
              → {r.upstream_model}
            </div>
          ) : null}
        </span>
      ),
    },
    { title: t('logs.input'), dataIndex: 'input_tokens', render: (v: number) => num(v) },
    { title: t('logs.output'), dataIndex: 'output_tokens', render: (v: number) => num(v) },
    { title: t('logs.cacheRead'), dataIndex: 'cache_read_tokens', render: (v: number) => num(v) },
    {
      title: t('logs.cacheWrite'),
      render: (_: unknown, r) => num(r.cache_write_tokens ?? r.cache_creation_tokens),
    },
    {
      title: t('logs.duration'),
      dataIndex: 'duration_ms',
      render: (v: number | null) => (v === null || v === undefined ? '-' : `${num(v)} ms`),
    },
    {
      title: t('dashboard.cost'),
      dataIndex: 'cost_usd',
      render: (v: number) => (
        <span className="mono nowrap">{typeof v === 'number' ? `$${v.toFixed(6)}` : '-'}</span>
      ),
    },
    {
      title: t('logs.billing'),
      dataIndex: 'covered_by_package',
      render: (v: boolean) =>
        v ? <Tag color="purple">{t('logs.package')}</Tag> : <Tag>{t('logs.balance')}</Tag>,
    },
    {
      title: t('common.status'),
      dataIndex: 'status',
      render: (v: number | null, r) => (
        <Tooltip content={r.error_code ?? undefined} disabled={!r.error_code}>
          <Tag color={statusColor(v)}>{v ?? '-'}</Tag>
        </Tooltip>
      ),
    },
    {
      title: t('logs.time'),
      dataIndex: 'created_at',
      render: (v: string) => <span className="nowrap">{dateTime(v)}</span>,
    },
  ]

  return (
    <div className="page" data-testid="page-logs">
      <div className="page-head">
        <h2>{t('logs.title')}</h2>
      </div>
      <Card>
        <div className="toolbar" style={{ marginBottom: 12 }}>
          <DatePicker.RangePicker
            value={draft.range}
            allowClear={false}
            style={{ width: 250 }}
            onChange={(v: string[]) => v?.length === 2 && setDraft({ ...draft, range: [v[0], v[1]] })}
          />
          <Input
            style={{ width: 180 }}
            placeholder={t('logs.modelFilter')}
            value={draft.model}
            onChange={(v) => setDraft({ ...draft, model: v })}
            allowClear
            data-testid="logs-model"
          />
          <Select
            style={{ width: 130 }}
            placeholder={t('logs.statusFilter')}
            allowClear
            value={draft.status}
            onChange={(v: string | undefined) => setDraft({ ...draft, status: v })}
            options={['2xx', '4xx', '429', '5xx'].map((v) => ({ label: v, value: v }))}
          />
          {admin ? (
            <Input
              style={{ width: 150 }}
              placeholder={t('common.username')}
              value={draft.username}
              onChange={(v) => setDraft({ ...draft, username: v })}
              allowClear
            />
          ) : null}
          <Button
            type="primary"
            icon={<IconSearch />}
            onClick={() => {
              setPage(1)
              setFilters(draft)
              setTick((x) => x + 1)
            }}
            data-testid="logs-query"
          >
            {t('common.query')}
          </Button>
          <Button
            icon={<IconRefresh />}
            onClick={() => setTick((x) => x + 1)}
            aria-label={t('common.refresh')}
          />
        </div>
        <Table<UsageLog>
          rowKey="request_id"
          loading={loading}
          columns={columns}
          data={rows}
          scroll={{ x: 1450 }}
          border={false}
          size="small"
          expandedRowRender={(r) => <LogDetail requestId={r.request_id} admin={admin} />}
          expandProps={{ expandRowByClick: false, width: 40 }}
          pagination={{
            current: page,
            pageSize,
            total,
            sizeCanChange: true,
            showTotal: true,
            onChange: (p, s) => {
              setPage(p)
              setPageSize(s)
            },
          }}
          noDataElement={<span className="muted">{t('common.noData')}</span>}
          data-testid="logs-table"
        />
      </Card>
    </div>
  )
}
