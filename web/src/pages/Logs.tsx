import { useEffect, useState } from 'react'
import { Button, Card, DatePicker, Drawer, Input, Message, Select, Table } from '@arco-design/web-react'
import { IconDownload, IconRefresh, IconSearch } from '@arco-design/web-react/icon'
import { api, errorMessage, getAll, getList } from '../api/client.ts'
import type { Channel, UsageLog } from '../api/types.ts'
import { useIsMobile } from '../components/useMedia.ts'
import { isAdminRole, useAuth } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { browserTimeZone, lastDays } from '../lib/format.ts'
import { LogDetail } from './logs/LogDetail.tsx'
import { logColumns, shortRequestId, sortable } from './logs/log-columns.tsx'

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

  const columns = logColumns({
    t,
    admin,
    sortOrder: (field) =>
      sort.by === sortable[field] ? (sort.order === 'asc' ? 'ascend' : 'descend') : undefined,
    onOpen: mobile ? setDetail : undefined,
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
