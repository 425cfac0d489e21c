import { useEffect, useMemo, useState } from 'react'
import { Link } from 'react-router'
import { Alert, Button, Card, Switch, Table, Tag, type TableColumnProps } from '@arco-design/web-react'
import axios from 'axios'
import { api, errorMessage } from '../api/client.ts'
import type { PublicPrice } from '../api/types.ts'
import { useAuth } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { SearchBox } from '../components/SearchBox.tsx'
import { pivotPrices, type ModelPriceRow } from '../lib/pricing.ts'
import { LangSwitch } from '../components/LangSwitch.tsx'
import { Segmented } from '../components/Segmented.tsx'
import { num, usd } from '../lib/format.ts'

function price(v: number | undefined): string {
  return v === undefined ? '-' : usd(v)
}

/** Whether a price row's model (an exact name or a glob with `*`) names one of `models`. */
export function priceCovers(priced: string, models: Set<string>): boolean {
  if (!priced.includes('*')) return models.has(priced)
  const re = new RegExp(
    `^${priced
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )
  return [...models].some((m) => re.test(m))
}

/**
 * Public price list (no login): USD per 1M tokens, or per call. Signed in, it marks the models the user can call
 * (a priced model routes only through a channel of one of their groups) and by default lists only those.
 */
export default function Pricing() {
  const { t } = useI18n()
  const signedIn = useAuth((s) => s.username)
  const [rows, setRows] = useState<ModelPriceRow[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [vendor, setVendor] = useState('all')
  const [q, setQ] = useState('')
  const [mine, setMine] = useState<Set<string> | null>(null)
  const [onlyMine, setOnlyMine] = useState(true)

  useEffect(() => {
    if (!signedIn) return setMine(null)
    api
      .get<{ data: string[] }>('/user/models')
      .then((r) => setMine(new Set(r.data.data)))
      .catch(() => setMine(null))
  }, [signedIn])

  useEffect(() => {
    document.title = `${t('nav.pricing')} · ${t('app.name')}`
  }, [t])

  useEffect(() => {
    axios
      .get<{ data: PublicPrice[] }>('/public/model-prices', { timeout: 30_000 })
      .then((r) => setRows(pivotPrices(r.data.data ?? [])))
      .catch((e: unknown) => setError(errorMessage(e)))
      .finally(() => setLoading(false))
  }, [])

  const vendors = useMemo(() => [...new Set(rows.map((r) => r.vendor))], [rows])
  const usable = (model: string) => (mine ? priceCovers(model, mine) : true)
  const shown = rows.filter(
    (r) =>
      (vendor === 'all' || r.vendor === vendor) &&
      (!q || r.model.toLowerCase().includes(q.toLowerCase())) &&
      (!mine || !onlyMine || usable(r.model)),
  )
  const hasUnit = (unit: string) => rows.some((r) => r.tiers.some((x) => x.prices[unit] !== undefined))

  const tierCell = (unit: string) => (_: unknown, r: ModelPriceRow) => (
    <div>
      {r.tiers.length > 1 ? <div className="tier-line">&nbsp;</div> : null}
      {r.tiers.map((x) => (
        <div key={x.above} className="nowrap mono tier-line">
          {price(x.prices[unit])}
        </div>
      ))}
    </div>
  )
  const columns: TableColumnProps<ModelPriceRow>[] = [
    {
      title: t('common.model'),
      dataIndex: 'model',
      fixed: 'left',
      width: 250,
      render: (v: string, r: ModelPriceRow) => (
        <div>
          <b className="mono nowrap tier-line" style={{ display: 'block' }}>
            {v}
          </b>
          {mine ? (
            <Tag
              size="small"
              color={usable(v) ? 'green' : 'gray'}
              data-testid={`pricing-${usable(v) ? 'available' : 'unavailable'}-${v}`}
            >
              {usable(v) ? t('pricing.available') : t('pricing.unavailable')}
            </Tag>
          ) : null}
          {r.tiers.length > 1
            ? r.tiers.map((x) => (
                <div key={x.above} className="muted nowrap tier-line" style={{ fontSize: 11 }}>
                  {x.above > 0 ? t('prices.aboveTag', { n: num(x.above) }) : t('pricing.baseTier')}
                </div>
              ))
            : null}
        </div>
      ),
    },
    { title: t('pricing.vendor'), dataIndex: 'vendor', render: (v: string) => <Tag>{v}</Tag> },
    {
      title: t('pricing.context'),
      dataIndex: 'context_length',
      render: (v: number | null) => (v ? num(v) : '-'),
    },
    { title: t('pricing.input'), key: 'in', render: tierCell('input_token') },
    { title: t('pricing.output'), key: 'out', render: tierCell('output_token') },
    { title: t('pricing.cacheRead'), key: 'cr', render: tierCell('cache_read_token') },
    { title: t('pricing.cacheWrite'), key: 'cw', render: tierCell('cache_write_token') },
    ...(hasUnit('request')
      ? [{ title: t('pricing.perRequest'), key: 'req', render: tierCell('request') }]
      : []),
    ...(hasUnit('web_search_call')
      ? [{ title: t('pricing.perSearch'), key: 'ws', render: tierCell('web_search_call') }]
      : []),
  ]

  return (
    <div className="public-wrap" data-testid="page-pricing">
      <div className="public-head">
        <h1 style={{ margin: 0, display: 'flex', alignItems: 'center', gap: 10, fontSize: 22 }}>
          <span className="logo-mark">A</span>
          {t('pricing.title')}
        </h1>
        <div className="toolbar">
          <LangSwitch />
          <Link to={signedIn ? '/dashboard' : '/login'}>
            <Button type="primary" size="small">
              {signedIn ? t('nav.dashboard') : t('login.submit')}
            </Button>
          </Link>
        </div>
      </div>
      <p className="muted">{t('pricing.subtitle')}</p>
      {error ? <Alert type="error" content={error} style={{ marginBottom: 12 }} /> : null}
      {mine && mine.size === 0 ? (
        <Alert
          type="warning"
          content={t('pricing.noneAvailable')}
          style={{ marginBottom: 12 }}
          data-testid="pricing-none-available"
        />
      ) : null}
      <Card>
        <div className="toolbar" style={{ justifyContent: 'space-between', marginBottom: 8 }}>
          <Segmented
            name="pricing-vendor"
            value={vendor}
            onChange={setVendor}
            options={[
              { value: 'all', label: t('pricing.allVendors') },
              ...vendors.map((v) => ({ value: v, label: v })),
            ]}
            testId="pricing-vendors"
          />
          {mine ? (
            <label className="nowrap">
              <Switch
                size="small"
                checked={onlyMine}
                onChange={setOnlyMine}
                data-testid="pricing-only-mine"
              />{' '}
              {t('pricing.onlyMine')}
            </label>
          ) : null}
          <SearchBox placeholder={t('prices.search')} value={q} onChange={setQ} width={220} />
        </div>
        <Table<ModelPriceRow>
          rowKey="model"
          loading={loading}
          columns={columns}
          data={shown}
          scroll={{ x: 1050 }}
          border={false}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          noDataElement={<span className="muted">{t('pricing.empty')}</span>}
          data-testid="pricing-table"
        />
      </Card>
    </div>
  )
}
