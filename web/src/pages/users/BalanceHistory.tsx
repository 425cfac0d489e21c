import { Table, Tag, type TableColumnProps } from '@arco-design/web-react'
import type { z } from 'zod'
import { getList } from '../../api/client.ts'
import type { balanceHistoryEntry } from '../../../../src/contracts/balance.ts'
import { useI18n, type TKey } from '../../i18n/index.ts'
import { ListError, timeColumn, useList } from '../../components/ListPage.tsx'
import { usd } from '../../lib/format.ts'

export type BalanceEntry = z.infer<typeof balanceHistoryEntry>

const kindKeys: Record<BalanceEntry['kind'], TKey> = {
  top_up: 'balance.kind.top_up',
  voucher: 'balance.kind.voucher',
  settle: 'balance.kind.settle',
  reserve: 'balance.kind.settle',
  refund: 'balance.kind.settle',
  admin_adjust: 'balance.kind.admin_adjust',
}
const kindColors: Partial<Record<BalanceEntry['kind'], string>> = {
  top_up: 'green',
  voucher: 'arcoblue',
  admin_adjust: 'orange',
}

/**
 * A balance history read from the ledger, newest first, paged by the server: the user's own
 * (`/user/balance-history`) or, for an administrator, anyone's (`/admin/users/:username/balance-history`).
 */
export function BalanceHistory({ url, testId }: { url: string; testId: string }) {
  const { t } = useI18n()
  const list = useList((p) => getList<BalanceEntry>(url, { page: p.page, page_size: p.pageSize }), {
    filters: url,
    paged: true,
  })
  const columns: TableColumnProps<BalanceEntry>[] = [
    timeColumn(t('balance.time'), 'created_at'),
    {
      title: t('balance.kind'),
      dataIndex: 'kind',
      width: 150,
      render: (v: BalanceEntry['kind']) => <Tag color={kindColors[v]}>{t(kindKeys[v])}</Tag>,
    },
    {
      title: t('balance.change'),
      dataIndex: 'change_usd',
      width: 120,
      align: 'right',
      render: (v: number) => (
        <span className="mono">
          {v > 0 ? '+' : v < 0 ? '−' : ''}
          {usd(Math.abs(v))}
        </span>
      ),
    },
    {
      title: t('balance.after'),
      dataIndex: 'balance_after_usd',
      width: 120,
      align: 'right',
      render: (v: number | null) =>
        v === null ? t('common.unlimited') : <span className="mono">{usd(v)}</span>,
    },
    { title: t('balance.note'), dataIndex: 'note', render: (v: string | null) => v ?? '' },
  ]
  return (
    <>
      <ListError list={list} />
      <Table<BalanceEntry>
        rowKey="id"
        columns={columns}
        data={list.rows}
        loading={list.loading}
        scroll={{ x: 700 }}
        border={false}
        size="small"
        noDataElement={t('balance.empty')}
        pagination={{
          current: list.page,
          pageSize: list.pageSize,
          total: list.total,
          onChange: list.setPage,
          size: 'small',
        }}
        data-testid={testId}
      />
    </>
  )
}
