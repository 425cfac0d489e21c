import { useCallback, useEffect, useMemo, useState } from 'react'
import {
  Button,
  Card,
  DatePicker,
  Message,
  Select,
  Table,
  Tag,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconDownload, IconRefresh, IconSearch } from '@arco-design/web-react/icon'
import { api, download, errorMessage, getAll, getList } from '../api/client.ts'
import type { ModelStat, MyStatus, Overview, KeyStat, UsageRow, User } from '../api/types.ts'
import { isAdminRole, useAuth } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { browserTimeZone, compact, dayBoundsIso, daysBetween, lastDays, num, usd } from '../lib/format.ts'
import { Chart } from '../components/Chart.tsx'
import { BalanceCard, RateLimitCard } from './dashboard/AccountPanel.tsx'
import { SplitPanel } from './dashboard/SplitPanel.tsx'
import { AccountSecurityCard } from './dashboard/PasswordCard.tsx'

type SortOrder = 'ascend' | 'descend' | undefined

export default function Dashboard() {
  const { t } = useI18n()
  const role = useAuth((s) => s.role)
  const admin = isAdminRole(role)
  const base = admin ? '/admin/stats' : '/user/stats'
  const [range, setRange] = useState<[string, string]>(() => lastDays(7))
  const [userFilter, setUserFilter] = useState<string | undefined>()
  const [users, setUsers] = useState<string[]>([])
  const [overview, setOverview] = useState<Overview | null>(null)
  const [series, setSeries] = useState<UsageRow[]>([])
  const [models, setModels] = useState<ModelStat[]>([])
  const [keyStats, setKeyStats] = useState<KeyStat[]>([])
  const [status, setStatus] = useState<MyStatus | null>(null)
  const [usage, setUsage] = useState<{ rows: UsageRow[]; total: number }>({ rows: [], total: 0 })
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(10)
  const [sort, setSort] = useState<{ field: string; order: SortOrder }>({ field: 'date', order: 'descend' })
  const [loading, setLoading] = useState(false)
  const [tick, setTick] = useState(0)

  const query = useMemo(
    () => ({ ...dayBoundsIso(range[0], range[1]), username: admin ? userFilter : undefined }),
    [range, userFilter, admin],
  )

  const loadStatus = useCallback(() => {
    api
      .get<MyStatus>('/auth/my-status')
      .then((r) => setStatus(r.data))
      .catch((e: unknown) => Message.error(errorMessage(e)))
  }, [])

  useEffect(() => {
    loadStatus()
    if (admin) {
      getAll<User>('/admin/users')
        .then((list) => setUsers(list.map((u) => u.username)))
        .catch(() => setUsers([]))
    }
  }, [admin, loadStatus])

  useEffect(() => {
    let live = true
    setLoading(true)
    const tz = browserTimeZone()
    void Promise.allSettled([
      api.get<Overview>(`${base}/overview`, { params: query }),
      getAll<UsageRow>(
        `${base}/usage`,
        { ...query, timezone: tz, sort_by: 'date', sort_order: 'asc' },
        1000,
        10,
      ),
      getList<ModelStat>(`${base}/models`, {
        ...query,
        page: 1,
        page_size: 10,
        sort_by: 'request_count',
        sort_order: 'desc',
      }),
      api.get<unknown>(`${base}/tokens`, {
        params: admin && userFilter ? { username: userFilter } : undefined,
      }),
    ])
      .then(([ov, us, md, tk]) => {
        if (!live) return
        setOverview(ov.status === 'fulfilled' ? ov.value.data : null)
        setSeries(us.status === 'fulfilled' ? us.value : [])
        setModels(md.status === 'fulfilled' ? md.value.data : [])
        const tkData = tk.status === 'fulfilled' ? (tk.value.data as KeyStat[] | { data?: KeyStat[] }) : []
        setKeyStats(Array.isArray(tkData) ? tkData : (tkData.data ?? []))
        const failed = [ov, us, md, tk].find((r) => r.status === 'rejected')
        if (failed) Message.error(errorMessage(failed.reason))
      })
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [base, query, admin, userFilter, tick])

  useEffect(() => {
    let live = true
    getList<UsageRow>(`${base}/usage`, {
      ...query,
      timezone: browserTimeZone(),
      page,
      page_size: pageSize,
      sort_by: sort.order ? sort.field : 'date',
      sort_order: sort.order === 'ascend' ? 'asc' : 'desc',
    })
      .then((r) => live && setUsage({ rows: r.data, total: r.total }))
      .catch(() => live && setUsage({ rows: [], total: 0 }))
    return () => {
      live = false
    }
  }, [base, query, page, pageSize, sort, tick])

  const perDay = useMemo(() => {
    const days = daysBetween(range[0], range[1])
    const cost = new Map<string, number>(days.map((d) => [d, 0]))
    const reqs = new Map<string, number>(days.map((d) => [d, 0]))
    for (const r of series) {
      const d = String(r.date).slice(0, 10)
      cost.set(d, (cost.get(d) ?? 0) + (r.total_cost_usd ?? 0))
      reqs.set(d, (reqs.get(d) ?? 0) + (r.request_count ?? 0))
    }
    const keys = [...cost.keys()].sort()
    return {
      cost: keys.map((d) => ({ label: d, value: cost.get(d) ?? 0 })),
      reqs: keys.map((d) => ({ label: d, value: reqs.get(d) ?? 0 })),
    }
  }, [series, range])

  const exportCsv = async () => {
    try {
      await download(
        `${base}/usage/export`,
        {
          ...query,
          timezone: browserTimeZone(),
          sort_by: sort.field,
          sort_order: sort.order === 'ascend' ? 'asc' : 'desc',
        },
        `dashboard-usage-${range[0]}-${range[1]}.csv`,
      )
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }

  const sortCol = (field: string) => ({
    sorter: true,
    sortOrder: sort.field === field ? sort.order : undefined,
  })
  const usageCols: TableColumnProps<UsageRow>[] = [
    {
      title: t('dashboard.date'),
      dataIndex: 'date',
      ...sortCol('date'),
      render: (v: string) => <span className="nowrap">{String(v).slice(0, 10)}</span>,
    },
    ...(admin ? [{ title: t('common.username'), dataIndex: 'username', ...sortCol('username') }] : []),
    {
      title: t('common.model'),
      dataIndex: 'model',
      ...sortCol('model'),
      render: (v: string | null) => (v ? <Tag color="arcoblue">{v}</Tag> : '-'),
    },
    {
      title: t('logs.input'),
      dataIndex: 'input_tokens',
      ...sortCol('input_tokens'),
      render: (v: number) => num(v),
    },
    {
      title: t('logs.output'),
      dataIndex: 'output_tokens',
      ...sortCol('output_tokens'),
      render: (v: number) => num(v),
    },
    {
      title: t('logs.cacheRead'),
      dataIndex: 'cache_read_tokens',
      ...sortCol('cache_read_tokens'),
      render: (v: number) => num(v),
    },
    {
      title: t('logs.cacheWrite'),
      dataIndex: 'cache_creation_tokens',
      ...sortCol('cache_creation_tokens'),
      render: (v: number) => num(v),
    },
    {
      title: t('dashboard.requests'),
      dataIndex: 'request_count',
      ...sortCol('request_count'),
      render: (v: number) => num(v),
    },
    {
      title: t('dashboard.cost'),
      dataIndex: 'total_cost_usd',
      ...sortCol('total_cost_usd'),
      render: (v: number) => usd(v),
    },
  ]
  const maxReq = Math.max(1, ...models.map((m) => m.request_count))

  return (
    <div className="page" data-testid="page-dashboard">
      <div className="page-head">
        <h2>{t('dashboard.title')}</h2>
        <div className="toolbar">
          <DatePicker.RangePicker
            value={range}
            allowClear={false}
            onChange={(v: string[]) => v?.length === 2 && setRange([v[0], v[1]])}
            style={{ width: 250 }}
            data-testid="dashboard-range"
          />
          {admin ? (
            <Select
              placeholder={t('dashboard.allUsers')}
              allowClear
              showSearch
              style={{ width: 170 }}
              value={userFilter}
              onChange={(v: string | undefined) => setUserFilter(v)}
              options={users.map((u) => ({ label: u, value: u }))}
            />
          ) : null}
          <Button icon={<IconSearch />} type="primary" onClick={() => setTick((x) => x + 1)}>
            {t('common.query')}
          </Button>
          <Button
            icon={<IconRefresh />}
            onClick={() => {
              setTick((x) => x + 1)
              loadStatus()
            }}
            aria-label={t('common.refresh')}
          />
          <Button icon={<IconDownload />} onClick={() => void exportCsv()} data-testid="export-csv">
            {t('dashboard.exportCsv')}
          </Button>
        </div>
      </div>

      <div className="grid-stats">
        {[
          {
            label: t('dashboard.requestCount'),
            value: overview ? num(overview.request_count) : '-',
            id: 'stat-requests',
          },
          {
            label: t('dashboard.totalCost'),
            value: overview ? usd(overview.total_cost_usd) : '-',
            id: 'stat-total-cost',
          },
          {
            label: t('dashboard.actualCost'),
            value: overview ? usd(overview.actual_cost_usd) : '-',
            id: 'stat-actual-cost',
          },
          {
            label: t('dashboard.totalTokens'),
            value: overview ? num(overview.total_token_usage) : '-',
            id: 'stat-tokens',
          },
        ].map((s) => (
          <Card key={s.id} className="stat-card" loading={loading && !overview}>
            <div className="stat-label">{s.label}</div>
            <div className="stat-value" data-testid={s.id}>
              {s.value}
            </div>
          </Card>
        ))}
      </div>

      <div className="grid-2">
        <Card title={t('dashboard.spendOverTime')}>
          <Chart
            data={perDay.cost}
            format={usd}
            testId="chart-spend"
            ariaLabel={t('dashboard.spendOverTime')}
          />
        </Card>
        <Card title={t('dashboard.requestsOverTime')}>
          <Chart
            data={perDay.reqs}
            kind="bar"
            color="#722ed1"
            format={compact}
            integer
            testId="chart-requests"
            ariaLabel={t('dashboard.requestsOverTime')}
          />
        </Card>
      </div>

      <SplitPanel base={base} admin={admin} range={range} query={query} tick={tick} />

      <div className="grid-2">
        <BalanceCard status={status} onChanged={loadStatus} />
        <RateLimitCard status={status} />
      </div>

      <AccountSecurityCard />

      <Card title={t('dashboard.usage')}>
        <Table<UsageRow>
          rowKey={(r) => `${r.date}|${r.username ?? ''}|${r.model ?? ''}`}
          columns={usageCols}
          data={usage.rows}
          scroll={{ x: 900 }}
          border={false}
          size="small"
          pagination={{
            current: page,
            pageSize,
            total: usage.total,
            sizeCanChange: true,
            showTotal: true,
            onChange: (p, s) => {
              setPage(p)
              setPageSize(s)
            },
          }}
          onChange={(_p, sorter) => {
            const s = Array.isArray(sorter) ? sorter[0] : sorter
            setSort({ field: String(s?.field ?? 'date'), order: s?.direction })
            setPage(1)
          }}
          noDataElement={<span className="muted">{t('common.noData')}</span>}
          data-testid="usage-table"
        />
      </Card>

      <div className="grid-2">
        <Card title={t('dashboard.byModel')}>
          <Table<ModelStat>
            rowKey={(r) => r.model ?? '-'}
            data={models}
            pagination={false}
            size="small"
            border={false}
            columns={[
              { title: t('common.model'), dataIndex: 'model', render: (v: string | null) => v ?? '-' },
              {
                title: t('dashboard.requests'),
                dataIndex: 'request_count',
                render: (v: number) => (
                  <div className="bar-cell">
                    <div className="bar" style={{ width: `${Math.max(4, (v / maxReq) * 120)}px` }} />
                    {num(v)}
                  </div>
                ),
              },
            ]}
            noDataElement={<span className="muted">{t('common.noData')}</span>}
            data-testid="model-table"
          />
        </Card>
        <Card title={t('dashboard.byKeyToday')}>
          <Table<KeyStat>
            rowKey="token_id"
            data={keyStats}
            pagination={false}
            size="small"
            border={false}
            columns={[
              { title: t('keys.name'), dataIndex: 'token_name' },
              ...(admin ? [{ title: t('common.username'), dataIndex: 'username' }] : []),
              { title: t('dashboard.requests'), dataIndex: 'request_count', render: (v: number) => num(v) },
              { title: t('dashboard.cost'), dataIndex: 'total_cost_usd', render: (v: number) => usd(v) },
            ]}
            noDataElement={<span className="muted">{t('common.noData')}</span>}
            data-testid="key-table"
          />
        </Card>
      </div>
    </div>
  )
}
