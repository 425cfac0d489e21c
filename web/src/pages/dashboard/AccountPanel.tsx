import { useState } from 'react'
import { Alert, Button, Card, Empty, Input, Message, Tag, Tooltip } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import { redeemVoucherBody } from '../../api/contracts.ts'
import type { MyStatus } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { useAction } from '../../components/useAction.ts'
import { usd } from '../../lib/format.ts'
import { firstIssue } from '../../components/validate.ts'
import { limitTypeLabel, limitValue, windowLabel } from '../../components/labels.ts'

function gaugeColor(remainingPct: number): string {
  if (remainingPct < 20) return '#f53f3f'
  if (remainingPct < 50) return '#ff7d00'
  return '#00b42a'
}

/** Balance with voucher redemption. */
export function BalanceCard({ status, onChanged }: { status: MyStatus | null; onChanged: () => void }) {
  const { t } = useI18n()
  const [code, setCode] = useState('')
  const { busy, error, setError, run } = useAction()
  const unlimited = status !== null && status.quota_usd === null

  const redeem = async () => {
    setError(null)
    const problem = firstIssue(redeemVoucherBody, { code })
    if (problem) {
      setError(t('dashboard.voucherRequired'))
      return
    }
    await run(async () => {
      const res = await api.post<{ amount_usd?: number; new_quota_usd?: number | null }>(
        '/user/vouchers/redeem',
        { code: code.trim() },
      )
      Message.success(t('dashboard.redeemed', { amount: usd(res.data.amount_usd ?? 0) }))
      setCode('')
      onChanged()
    })
  }

  return (
    <Card title={t('dashboard.account')} data-testid="balance-card">
      <div className="grid-2" style={{ marginBottom: 16 }}>
        <div>
          <div className="stat-label">{t('dashboard.balance')}</div>
          <div className="stat-value" data-testid="balance-value">
            {status === null ? (
              '-'
            ) : unlimited ? (
              <Tag color="green">{t('common.unlimited')}</Tag>
            ) : (
              usd(status.quota_usd)
            )}
          </div>
        </div>
        <div>
          <div className="stat-label">{t('dashboard.consumed')}</div>
          <div className="stat-value" data-testid="consumed-value">
            {status === null ? '-' : usd(status.used_usd)}
          </div>
        </div>
      </div>
      <div className="stat-label">{t('dashboard.redeemVoucher')}</div>
      <div className="toolbar" style={{ flexWrap: 'nowrap' }}>
        <Input
          value={code}
          onChange={setCode}
          placeholder={t('dashboard.voucherPlaceholder')}
          onPressEnter={() => void redeem()}
          allowClear
          data-testid="voucher-input"
        />
        <Button type="primary" loading={busy} onClick={() => void redeem()} data-testid="voucher-redeem">
          {t('dashboard.redeem')}
        </Button>
      </div>
      {error ? (
        <Alert type="error" content={error} style={{ marginTop: 10 }} data-testid="voucher-error" />
      ) : null}
    </Card>
  )
}

/** Each rate-limit rule of the caller's groups, with how much of the window is used. */
export function RateLimitCard({ status }: { status: MyStatus | null }) {
  const { t } = useI18n()
  const rows = (status?.groups ?? []).flatMap((g) => g.rate_limits.map((r) => ({ g, r })))
  return (
    <Card title={t('dashboard.rateLimits')} data-testid="ratelimit-card">
      {rows.length === 0 ? (
        <Empty description={t('dashboard.noRules')} />
      ) : (
        rows.map(({ g, r }) => {
          const usedPct = r.limit > 0 ? Math.min(100, (r.current / r.limit) * 100) : 0
          const remaining = typeof r.remaining_pct === 'number' ? r.remaining_pct : 100 - usedPct
          return (
            <div className="rule-row" key={`${g.group_id}-${r.rule_id}`}>
              <div>
                <b>{g.group_name}</b>{' '}
                {g.is_all_visible ? (
                  <Tag size="small" color="arcoblue">
                    {t('groups.allVisibleTag')}
                  </Tag>
                ) : null}
                <div className="muted" style={{ fontSize: 12 }}>
                  {limitTypeLabel(t, r.limit_type)} · {windowLabel(t, r.window_sec)} ·{' '}
                  {t(`dashboard.ruleAppliesTo.${r.applies_to ?? 'bound_keys'}`)}
                </div>
              </div>
              <div className="mono">
                {r.limit_type === 'quota_limit' ? usd(r.current) : r.current.toLocaleString('en-US')} /{' '}
                {limitValue(t, r.limit_type, r.limit)}
              </div>
              <Tooltip content={t('dashboard.remainingPct', { pct: remaining.toFixed(1) })}>
                {/* Arco's Progress leaves its progressbar unnamed (axe, issue 19 #11): a named one of our own. */}
                <div className="gauge">
                  <div
                    className="gauge-track"
                    role="progressbar"
                    aria-label={t('dashboard.remainingPct', { pct: remaining.toFixed(1) })}
                    aria-valuenow={Number(usedPct.toFixed(1))}
                    aria-valuemin={0}
                    aria-valuemax={100}
                  >
                    <div
                      className="gauge-fill"
                      style={{ width: `${Math.min(100, usedPct)}%`, background: gaugeColor(remaining) }}
                    />
                  </div>
                  <span className="gauge-text">
                    {t('dashboard.remainingPct', { pct: remaining.toFixed(1) })}
                  </span>
                </div>
              </Tooltip>
            </div>
          )
        })
      )}
    </Card>
  )
}
