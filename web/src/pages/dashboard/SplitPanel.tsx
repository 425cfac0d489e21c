import { useEffect, useMemo, useState } from 'react'
import { Card, Message, Radio, Select, Table } from '@arco-design/web-react'
import { api, errorMessage } from '../../api/client.ts'
import { useI18n } from '../../i18n/index.ts'
import { browserTimeZone, compact, daysBetween, num, usd } from '../../lib/format.ts'
import { SERIES_COLORS, StackedChart } from '../../components/StackedChart.tsx'

type Dimension = 'user' | 'model' | 'key' | 'group'

interface Breakdown {
  series: { id: string | null; name: string | null; other?: boolean }[]
  data: { date: string; request_count: number[]; cost_usd: number[] }[]
}

interface TopUser {
  username: string | null
  request_count: number
  cost_usd: number
}

/**
 * Spend or requests per day, stacked by user, model, key or group, and (for admins) the top users: what
 * operators of other gateways expect (issue 19, features). Data: `/stats/breakdown`, `/admin/stats/top-users`.
 */
export function SplitPanel(props: {
  base: string
  admin: boolean
  range: [string, string]
  query: Record<string, unknown>
  tick: number
}) {
  const { t } = useI18n()
  const { base, admin, range, query, tick } = props
  const [by, setBy] = useState<Dimension>(admin ? 'user' : 'model')
  const [metric, setMetric] = useState<'cost' | 'requests'>('cost')
  const [breakdown, setBreakdown] = useState<Breakdown | null>(null)
  const [top, setTop] = useState<TopUser[]>([])

  useEffect(() => {
    let live = true
    api
      .get<Breakdown>(`${base}/breakdown`, { params: { ...query, by, timezone: browserTimeZone() } })
      .then((r) => live && setBreakdown(r.data))
      .catch((e: unknown) => live && Message.error(errorMessage(e)))
    if (admin)
      api
        .get<{ data: TopUser[] }>('/admin/stats/top-users', { params: query })
        .then((r) => live && setTop(r.data.data))
        .catch(() => live && setTop([]))
    return () => {
      live = false
    }
  }, [base, admin, by, query, tick])

  const chart = useMemo(() => {
    const days = daysBetween(range[0], range[1])
    const rows = new Map((breakdown?.data ?? []).map((d) => [d.date, d]))
    const series = (breakdown?.series ?? []).map((s, i) => ({
      name: s.other ? t('dashboard.splitOther') : (s.name ?? t('dashboard.splitNone')),
      color: s.other
        ? SERIES_COLORS[SERIES_COLORS.length - 1]
        : SERIES_COLORS[i % (SERIES_COLORS.length - 1)],
      values: days.map((d) => {
        const row = rows.get(d)
        return (metric === 'cost' ? row?.cost_usd[i] : row?.request_count[i]) ?? 0
      }),
    }))
    return { days, series }
  }, [breakdown, range, metric, t])

  const dimensions: Dimension[] = admin ? ['user', 'model', 'key', 'group'] : ['model', 'key', 'group']
  return (
    <div className={admin ? 'grid-2' : undefined}>
      <Card
        title={
          <div className="card-title-row">
            <span>{t('dashboard.splitTitle')}</span>
            <span className="toolbar">
              <Select
                size="small"
                style={{ width: 120 }}
                value={by}
                onChange={(v: Dimension) => setBy(v)}
                options={dimensions.map((d) => ({ label: t(`dashboard.split.${d}`), value: d }))}
                aria-label={t('dashboard.splitTitle')}
                data-testid="split-by"
              />
              <Radio.Group
                type="button"
                size="small"
                value={metric}
                onChange={(v: 'cost' | 'requests') => setMetric(v)}
                options={[
                  { label: t('dashboard.splitSpend'), value: 'cost' },
                  { label: t('dashboard.splitRequests'), value: 'requests' },
                ]}
              />
            </span>
          </div>
        }
      >
        <StackedChart
          labels={chart.days}
          series={chart.series}
          format={metric === 'cost' ? usd : compact}
          integer={metric === 'requests'}
          testId="chart-split"
          ariaLabel={t('dashboard.splitTitle')}
        />
      </Card>
      {admin ? (
        <Card title={t('dashboard.topUsers')}>
          <Table<TopUser>
            rowKey={(r) => r.username ?? '-'}
            data={top}
            pagination={false}
            size="small"
            border={false}
            columns={[
              { title: t('common.username'), dataIndex: 'username', render: (v: string | null) => v ?? '-' },
              { title: t('dashboard.requests'), dataIndex: 'request_count', render: (v: number) => num(v) },
              { title: t('dashboard.cost'), dataIndex: 'cost_usd', render: (v: number) => usd(v) },
            ]}
            noDataElement={<span className="muted">{t('common.noData')}</span>}
            data-testid="top-users"
          />
        </Card>
      ) : null}
    </div>
  )
}
