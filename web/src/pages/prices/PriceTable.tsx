import { Button, InputNumber, Message, Popconfirm, Table, Tag } from '@arco-design/web-react'
import { IconDelete } from '@arco-design/web-react/icon'
import { api, errorMessage } from '../../api/client.ts'
import { updatePriceBody } from '../../api/contracts.ts'
import type { Price } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { firstIssue } from '../../components/validate.ts'
import { isPerCall, unitLabel } from '../../components/labels.ts'
import { num } from '../../lib/format.ts'

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
  const save = async (r: Price, v: number | undefined) => {
    if (v === undefined || v === r.price_per_unit) return
    const problem = firstIssue(updatePriceBody, { price_per_unit: v })
    if (problem) return void Message.error(problem)
    try {
      await api.patch(`${props.endpoint}/${r.id}`, { price_per_unit: v })
      Message.success(t('common.saved'))
      props.onChanged()
    } catch (e) {
      Message.error(errorMessage(e))
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
          render: (v: number, r) => (
            <span className="nowrap">
              <InputNumber
                key={`${r.id}-${v}`}
                size="mini"
                style={{ width: 130 }}
                min={0}
                precision={6}
                prefix="$"
                defaultValue={v}
                onBlur={(e) => void save(r, Number((e.target as HTMLInputElement).value))}
              />
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
