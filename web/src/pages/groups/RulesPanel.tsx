import { useState } from 'react'
import { Alert, Button, Form, InputNumber, Message, Select, Tag } from '@arco-design/web-react'
import { IconPlus } from '@arco-design/web-react/icon'
import { api, errorMessage, getList } from '../../api/client.ts'
import { limitTypes, rateLimitBody, ruleAppliesTo, updateRateLimitBody } from '../../api/contracts.ts'
import type { LimitType, RateLimit, RuleAppliesTo } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { unitSeconds, type WindowUnit } from '../../lib/format.ts'
import { firstIssue } from '../../components/validate.ts'
import { limitTypeLabel, limitValue, windowLabel } from '../../components/labels.ts'
import { DeleteButton, useList } from '../../components/ListPage.tsx'
import { PanelTable } from '../../components/PanelTable.tsx'

/**
 * Rate-limit rules of one group: list, add (type, n × unit window, value, whom it applies to), edit value and
 * whom it applies to, delete.
 */
export function RulesPanel({ groupId }: { groupId: string }) {
  const { t } = useI18n()
  const rules = useList(() => getList<RateLimit>('/admin/rate-limits', { group_id: groupId }), {
    filters: groupId,
  })
  const [type, setType] = useState<LimitType>('request_limit')
  const [n, setN] = useState<number | undefined>(1)
  const [unit, setUnit] = useState<WindowUnit>('minute')
  const [value, setValue] = useState<number | undefined>()
  const [appliesTo, setAppliesTo] = useState<RuleAppliesTo>('bound_keys')
  const [error, setError] = useState<string | null>(null)

  const add = async () => {
    setError(null)
    const body = {
      group_id: groupId,
      limit_type: type,
      window_sec: Math.round((n ?? 0) * unitSeconds[unit]),
      value: value ?? NaN,
      applies_to: appliesTo,
    }
    const problem = firstIssue(rateLimitBody, body)
    if (problem) return setError(problem)
    try {
      await api.post('/admin/rate-limits', body)
      setValue(undefined)
      await rules.reload()
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  const patch = async (r: RateLimit, body: { value?: number; applies_to?: RuleAppliesTo }) => {
    const problem = firstIssue(updateRateLimitBody, body)
    if (problem) return void Message.error(problem)
    await rules.run(() => api.patch(`/admin/rate-limits/${r.id}`, body))
  }
  const updateValue = async (r: RateLimit, v: number | undefined) => {
    if (v === undefined || v === r.value) return
    await patch(r, { value: v })
  }
  const appliesToOptions = ruleAppliesTo.map((a) => ({ label: t(`rules.appliesTo.${a}`), value: a }))

  return (
    <div data-testid="rules-panel">
      <Form layout="inline" style={{ marginBottom: 12, rowGap: 8 }}>
        <Form.Item label={t('rules.type')}>
          <Select
            style={{ width: 150 }}
            value={type}
            onChange={(v: LimitType) => setType(v)}
            options={limitTypes.map((lt) => ({ label: limitTypeLabel(t, lt), value: lt }))}
          />
        </Form.Item>
        <Form.Item label={t('rules.window')}>
          <InputNumber
            style={{ width: 80 }}
            min={1}
            precision={0}
            value={n}
            onChange={(v) => setN(v ?? undefined)}
            aria-label={t('rules.window')}
          />
          <Select
            style={{ width: 100, marginLeft: 4 }}
            value={unit}
            onChange={(v: WindowUnit) => setUnit(v)}
            options={(['second', 'minute', 'hour', 'day'] as const).map((u) => ({
              label: t(`unitName.${u}`),
              value: u,
            }))}
          />
        </Form.Item>
        <Form.Item label={t('rules.value')}>
          <InputNumber
            style={{ width: 130 }}
            min={0}
            value={value}
            onChange={(v) => setValue(v ?? undefined)}
            prefix={type === 'quota_limit' ? '$' : undefined}
            aria-label={t('rules.value')}
            data-testid="rule-value"
          />
        </Form.Item>
        <Form.Item label={t('rules.appliesTo')}>
          <Select
            style={{ width: 130 }}
            value={appliesTo}
            onChange={(v: RuleAppliesTo) => setAppliesTo(v)}
            options={appliesToOptions}
            data-testid="rule-applies-to"
          />
        </Form.Item>
        <Button type="primary" icon={<IconPlus />} onClick={() => void add()} data-testid="rule-add">
          {t('rules.add')}
        </Button>
      </Form>
      {error ? <Alert type="error" content={error} style={{ marginBottom: 12 }} /> : null}
      <PanelTable<RateLimit>
        list={rules}
        rowKey="id"
        empty={t('rules.empty')}
        columns={[
          {
            title: t('rules.type'),
            dataIndex: 'limit_type',
            render: (v: LimitType) => <Tag>{limitTypeLabel(t, v)}</Tag>,
          },
          { title: t('rules.window'), dataIndex: 'window_sec', render: (v: number) => windowLabel(t, v) },
          {
            title: t('rules.value'),
            dataIndex: 'value',
            render: (v: number, r) => (
              <span className="nowrap">
                <InputNumber
                  key={`${r.id}-${v}`}
                  size="mini"
                  style={{ width: 110 }}
                  min={0}
                  defaultValue={v}
                  aria-label={t('rules.value')}
                  onBlur={(e) => void updateValue(r, Number((e.target as HTMLInputElement).value))}
                />
                <span className="muted" style={{ marginLeft: 6 }}>
                  {limitValue(t, r.limit_type, v)}
                </span>
              </span>
            ),
          },
          {
            title: t('rules.appliesTo'),
            dataIndex: 'applies_to',
            render: (v: RuleAppliesTo, r) => (
              <Select
                size="mini"
                style={{ width: 120 }}
                value={v}
                onChange={(next: RuleAppliesTo) => void patch(r, { applies_to: next })}
                options={appliesToOptions}
                data-testid={`rule-applies-to-${r.id}`}
              />
            ),
          },
          {
            title: t('common.status'),
            key: 'status',
            render: (_: string, r) =>
              r.value > 0 ? <Tag color="green">{t('rules.active')}</Tag> : <Tag>{t('rules.disabled')}</Tag>,
          },
          {
            title: t('common.actions'),
            key: 'actions',
            dataIndex: 'id',
            render: (id: string) => (
              <DeleteButton
                title={t('rules.deleteConfirm')}
                onOk={() => rules.run(() => api.delete(`/admin/rate-limits/${id}`))}
              />
            ),
          },
        ]}
      />
    </div>
  )
}
