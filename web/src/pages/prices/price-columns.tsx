import { useState } from 'react'
import { InputNumber, Message, Tag, type TableColumnProps } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import { updatePriceBody } from '../../api/contracts.ts'
import type { Price } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { firstIssue } from '../../components/validate.ts'
import { isPerCall, unitLabel } from '../../components/labels.ts'
import { num } from '../../lib/format.ts'
import { DeleteButton, type ListState } from '../../components/ListPage.tsx'

/** The typed price, or null when the text is empty, not a number or negative (never read as $0). */
export function parsePrice(text: string): number | null {
  const trimmed = text.trim().replace(/^\$/, '')
  if (trimmed === '') return null
  const v = Number(trimmed)
  return Number.isFinite(v) && v >= 0 ? v : null
}

/**
 * One inline price. An empty or invalid entry is refused with a message and the cell shows the old price again
 * (issue 19 #1: clearing the cell saved $0 with a "Saved" toast).
 */
function PriceCell(props: { row: Price; onSave: (r: Price, v: number) => Promise<boolean> }) {
  const { t } = useI18n()
  const [generation, setGeneration] = useState(0)
  const r = props.row
  const restore = () => setGeneration((g) => g + 1)
  return (
    <InputNumber
      key={`${r.id}-${r.price_per_unit}-${generation}`}
      size="mini"
      style={{ width: 130 }}
      precision={6}
      prefix="$"
      defaultValue={r.price_per_unit}
      aria-label={t('prices.priceOf', { model: r.model_name, unit: unitLabel(t, r.unit) })}
      data-testid={`price-cell-${r.id}`}
      onBlur={(e) => {
        const text = (e.target as HTMLInputElement).value
        const v = parsePrice(text)
        if (v === null) {
          Message.error(t('prices.invalidPrice'))
          return restore()
        }
        if (v !== r.price_per_unit) void props.onSave(r, v).then((ok) => ok || restore())
      }}
    />
  )
}

/**
 * The columns of price rows, with inline price editing and delete; `endpoint` is /admin/prices or
 * /admin/group-prices, and `list` the rows' list (reloaded after each change).
 */
export function usePriceColumns(endpoint: string, list: ListState<Price>): TableColumnProps<Price>[] {
  const { t } = useI18n()
  const save = async (r: Price, v: number) => {
    const problem = firstIssue(updatePriceBody, { price_per_unit: v })
    if (problem) {
      Message.error(problem)
      return false
    }
    return list.run(() => api.patch(`${endpoint}/${r.id}`, { price_per_unit: v }), t('common.saved'))
  }
  return [
    {
      title: t('common.model'),
      dataIndex: 'model_name',
      render: (v: string) => <b className="mono">{v}</b>,
    },
    {
      title: t('prices.unit'),
      dataIndex: 'unit',
      render: (v: string, r) => (
        <span>
          <Tag color={isPerCall(v) ? 'purple' : 'arcoblue'}>{unitLabel(t, v)}</Tag>
          {r.above_input_tokens ? (
            <Tag size="small">{t('prices.aboveTag', { n: num(r.above_input_tokens) })}</Tag>
          ) : null}
        </span>
      ),
    },
    {
      title: t('prices.price'),
      dataIndex: 'price_per_unit',
      render: (_: number, r) => (
        <span className="nowrap">
          <PriceCell row={r} onSave={save} />
          <span className="muted" style={{ marginLeft: 6, fontSize: 12 }}>
            {isPerCall(r.unit) ? t('prices.perCall') : t('prices.perMillion')}
          </span>
        </span>
      ),
    },
    { title: t('prices.vendor'), dataIndex: 'vendor', render: (v: string | null) => v ?? '-' },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, r) => (
        <DeleteButton
          title={t('prices.deleteConfirm')}
          onOk={() => list.run(() => api.delete(`${endpoint}/${r.id}`))}
        />
      ),
    },
  ]
}
