import { useEffect, useState } from 'react'
import {
  Button,
  Card,
  DatePicker,
  Drawer,
  Input,
  Message,
  Select,
  Table,
  Tag,
  Tooltip,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconDownload, IconEye, IconRefresh, IconSearch } from '@arco-design/web-react/icon'
import { api, errorMessage, getAll, getList } from '../api/client.ts'
import type { Channel, UsageLog } from '../api/types.ts'
import { CopyButton } from '../components/CopyButton.tsx'
import { useIsMobile } from '../components/useMedia.ts'
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
  key: string
  channel?: string
}

interface Sort {
  by?: string
  order?: 'asc' | 'desc'
}

/** Table columns the server can sort by (src/services/logs/log-queries.ts LOG_SORTS). */
const sortable: Record<string, string> = {
  created_at: 'created_at',
  cost_usd: 'cost',
  duration_ms: 'duration',
  ttft_ms: 'ttft',
  input_tokens: 'input_tokens',
  output_tokens: 'output_tokens',
}

/**
 * Request ids are time-ordered (UUIDv7): their start is the time and the same on every row of a minute, so the
 * table shows the end, which tells rows apart; the whole id is in the tooltip and copied by the button.
 */
export function shortRequestId(id: string): string {
  return id.length > 12 ? `…${id.slice(-12)}` : id
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${num(v)} ms`)

export default function Logs() {
  const { t } = useI18n()
  const admin = isAdminRole(useAuth((s) => s.role))
  const mobile = useIsMobile()
  const [draft, setDraft] = useState<Filters>(() => ({
    range: lastDays(1),
    model: '',
    username: '',
    key: '',
  }))
  const [filters, setFilters] = useState<Filters>(draft)
  const [sort, setSort] = useState<Sort>({})
  const [channels, setChannels] = useState<Channel[]>([])
  const [detail, setDetail] = useState<string | null>(null)
  const [exporting, setExporting] = useState(false)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [rows, setRows] = useState<UsageLog[]>([])
  const [total, setTotal] = useState(0)
  const [loading, setLoading] = useState(false)
  const [tick, setTick] = useState(0)

  useEffect(() => {
    if (!admin) return
    getAll<Channel>('/admin/channels')
      .then(setChannels)
      .catch(() => setChannels([]))
  }, [admin])

  const query = {
    model: filters.model.trim() || undefined,
    status: filters.status,
    start_date: filters.range[0],
    end_date: filters.range[1],
    timezone: browserTimeZone(),
    key: filters.key.trim() || undefined,
    username: admin ? filters.username.trim() || undefined : undefined,
    channel_id: admin ? filters.channel : undefined,
    sort_by: sort.by,
    sort_order: sort.order,
  }
  const queryKey = JSON.stringify(query)

  const exportCsv = async () => {
    setExporting(true)
    try {
      const res = await api.get<Blob>(`${admin ? '/admin' : '/user'}/logs/export`, {
        params: JSON.parse(queryKey) as Record<string, unknown>,
        responseType: 'blob',
        timeout: 120_000,
      })
      const url = URL.createObjectURL(res.data)
      const a = document.createElement('a')
      a.href = url
      a.download = 'request-logs.csv'
      a.click()
      URL.revokeObjectURL(url)
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setExporting(false)
    }
  }

  useEffect(() => {
    let live = true
    setLoading(true)
    getList<UsageLog>(admin ? '/admin/logs' : '/user/logs', {
      page,
      page_size: pageSize,
      ...(JSON.parse(queryKey) as Record<string, unknown>),
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
  }, [admin, queryKey, page, pageSize, tick])

  const sorted = (field: string) =>
    sort.by === sortable[field] ? (sort.order === 'asc' ? 'ascend' : 'descend') : undefined
  const columns: TableColumnProps<UsageLog>[] = [
    {
      title: t('logs.time'),
      dataIndex: 'created_at',
      width: 160,
      sorter: true,
      sortOrder: sorted('created_at'),
      render: (v: string) => <span className="nowrap">{dateTime(v)}</span>,
    },
    {
      title: t('logs.requestId'),
      dataIndex: 'request_id',
      width: 150,
      render: (v: string) => (
        <span className="nowrap">
          <Tooltip content={v}>
            <span className="mono" data-testid={`log-id-${v}`}>
              {shortRequestId(v)}
            </span>
          </Tooltip>
          <CopyButton text={v} />
        </span>
      ),
    },
    {
      title: t('common.status'),
      dataIndex: 'status',
      width: 120,
      render: (v: number | null, r) => (
        <span className="nowrap" data-testid={`log-status-${r.request_id}`}>
          <Tag color={statusColor(v)}>{v ?? '-'}</Tag>
          {r.error_code ? (
            <div className="mono muted" style={{ fontSize: 11 }}>
              {r.error_code}
            </div>
          ) : null}
        </span>
      ),
    },
    {
      title: t('dashboard.cost'),
      dataIndex: 'cost_usd',
      width: 110,
      sorter: true,
      sortOrder: sorted('cost_usd'),
      render: (v: number, r) => (
        <span className="mono nowrap" data-testid={`log-cost-${r.request_id}`}>
          {typeof v === 'number' ? `$${v.toFixed(6)}` : '-'}
        </span>
      ),
    },
    {
      title: t('common.model'),
      dataIndex: 'model',
      width: 160,
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
    ...(admin
      ? [
          {
            title: t('common.username'),
            dataIndex: 'username',
            width: 110,
            render: (v: string | null) => v ?? '-',
          },
          {
            title: t('logs.channel'),
            dataIndex: 'channel_name',
            width: 130,
            render: (v: string | null, r: UsageLog) => (
              <span data-testid={`log-channel-${r.request_id}`}>{v ?? r.channel_id ?? '-'}</span>
            ),
          },
        ]
      : []),
    { title: t('logs.keyName'), dataIndex: 'token_name', width: 120, render: (v: string | null) => v ?? '-' },
    {
      title: t('logs.latency'),
      dataIndex: 'duration_ms',
      width: 100,
      sorter: true,
      sortOrder: sorted('duration_ms'),
      render: ms,
    },
    {
      title: t('logs.ttft'),
      dataIndex: 'ttft_ms',
      width: 100,
      sorter: true,
      sortOrder: sorted('ttft_ms'),
      render: ms,
    },
    {
      title: t('logs.input'),
      dataIndex: 'input_tokens',
      width: 90,
      sorter: true,
      sortOrder: sorted('input_tokens'),
      render: (v: number) => num(v),
    },
    {
      title: t('logs.output'),
      dataIndex: 'output_tokens',
      width: 90,
      sorter: true,
      sortOrder: sorted('output_tokens'),
      render: (v: number) => num(v),
    },
    { title: t('logs.cacheRead'), dataIndex: 'cache_read_tokens', width: 90, render: (v: number) => num(v) },
    {
      title: t('logs.cacheWrite'),
      width: 90,
      render: (_: unknown, r) => num(r.cache_write_tokens ?? r.cache_creation_tokens),
    },
    {
      title: t('logs.billing'),
      dataIndex: 'covered_by_package',
      width: 90,
      render: (v: boolean) =>
        v ? <Tag color="purple">{t('logs.package')}</Tag> : <Tag>{t('logs.balance')}</Tag>,
    },
  ]
  // On a phone the record opens in a full-width drawer: an expanded row is as wide as the scrolled table.
  if (mobile)
    columns.unshift({
      title: '',
      key: 'open',
      width: 44,
      render: (_: unknown, r) => (
        <Button
          size="mini"
          type="text"
          icon={<IconEye />}
          onClick={() => setDetail(r.request_id)}
          aria-label={t('logs.openRecord')}
          data-testid={`log-open-${r.request_id}`}
        />
      ),
    })

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
          <Input
            style={{ width: 150 }}
            placeholder={t('logs.keyFilter')}
            value={draft.key}
            onChange={(v) => setDraft({ ...draft, key: v })}
            allowClear
            data-testid="logs-key"
          />
          {admin ? (
            <>
              <Input
                style={{ width: 150 }}
                placeholder={t('common.username')}
                value={draft.username}
                onChange={(v) => setDraft({ ...draft, username: v })}
                allowClear
              />
              <Select
                style={{ width: 160 }}
                placeholder={t('logs.channel')}
                allowClear
                showSearch
                value={draft.channel}
                onChange={(v: string | undefined) => setDraft({ ...draft, channel: v })}
                options={channels.map((c) => ({ label: c.name, value: c.id }))}
                data-testid="logs-channel"
              />
            </>
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
          <Button
            icon={<IconDownload />}
            loading={exporting}
            onClick={() => void exportCsv()}
            data-testid="logs-export"
          >
            {t('logs.export')}
          </Button>
        </div>
        <Table<UsageLog>
          rowKey="request_id"
          loading={loading}
          columns={columns}
          data={rows}
          scroll={{ x: admin ? 1700 : 1460 }}
          border={false}
          size="small"
          onChange={(_p, sorter, _f, extra) => {
            if (extra?.action !== 'sort') return
            const one = Array.isArray(sorter) ? sorter[0] : sorter
            const by = one?.direction ? sortable[String(one.field)] : undefined
            setPage(1)
            setSort(by ? { by, order: one?.direction === 'ascend' ? 'asc' : 'desc' } : {})
          }}
          expandedRowRender={mobile ? undefined : (r) => <LogDetail requestId={r.request_id} admin={admin} />}
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
      <Drawer
        width="100%"
        title={detail ? shortRequestId(detail) : ''}
        visible={detail !== null}
        onCancel={() => setDetail(null)}
        footer={null}
        unmountOnExit
      >
        {detail ? <LogDetail requestId={detail} admin={admin} /> : null}
      </Drawer>
    </div>
  )
}
