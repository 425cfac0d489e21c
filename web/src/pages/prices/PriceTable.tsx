import { useState } from 'react'
import { Button, InputNumber, Message, Popconfirm, Table, Tag } from '@arco-design/web-react'
import { IconDelete } from '@arco-design/web-react/icon'
import { api, errorMessage } from '../../api/client.ts'
import { updatePriceBody } from '../../api/contracts.ts'
import type { Price } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { firstIssue } from '../../components/validate.ts'
import { isPerCall, unitLabel } from '../../components/labels.ts'
import { num } from '../../lib/format.ts'

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

/** Price rows with inline price editing and delete; `endpoint` is /admin/prices or /admin/group-prices. */
export function PriceTable(props: {
  rows: Price[]
  loading?: boolean
  endpoint: string
  onChanged: () => void
  pagination?:
    false | { current: number; pageSize: number; total: number; onChange: (p: number, s: number) => void }
}) {
  const { t } = useI18n()
  const save = async (r: Price, v: number) => {
    const problem = firstIssue(updatePriceBody, { price_per_unit: v })
    if (problem) {
      Message.error(problem)
      return false
    }
    try {
      await api.patch(`${props.endpoint}/${r.id}`, { price_per_unit: v })
      Message.success(t('common.saved'))
      props.onChanged()
      return true
    } catch (e) {
      Message.error(errorMessage(e))
      return false
    }
  }
  return (
    <Table<Price>
      rowKey="id"
      loading={props.loading}
      data={props.rows}
      size="small"
      border={false}
      scroll={{ x: 760 }}
      pagination={
        props.pagination === undefined
          ? { pageSize: 20, hideOnSinglePage: true }
          : props.pagination === false
            ? false
            : { ...props.pagination, showTotal: true, sizeCanChange: true }
      }
      columns={[
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
            <Popconfirm
              title={t('prices.deleteConfirm')}
              onOk={async () => {
                try {
                  await api.delete(`${props.endpoint}/${r.id}`)
                  props.onChanged()
                } catch (e) {
                  Message.error(errorMessage(e))
                }
              }}
            >
              <Button
                size="mini"
                type="text"
                status="danger"
                icon={<IconDelete />}
                aria-label={t('common.delete')}
              />
            </Popconfirm>
          ),
        },
      ]}
      noDataElement={<span className="muted">{t('prices.empty')}</span>}
    />
  )
}
