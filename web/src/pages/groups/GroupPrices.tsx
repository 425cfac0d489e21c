import { useState } from 'react'
import { Button, Message } from '@arco-design/web-react'
import { IconPlus } from '@arco-design/web-react/icon'
import { getAll } from '../../api/client.ts'
import type { Price } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { useList } from '../../components/ListPage.tsx'
import { PanelTable } from '../../components/PanelTable.tsx'
import { PriceCreateModal } from '../prices/PriceCreateModal.tsx'
import { usePriceColumns } from '../prices/price-columns.tsx'

/** Prices that override the global ones for this group. */
export function GroupPrices({ groupId }: { groupId: string }) {
  const { t } = useI18n()
  const [open, setOpen] = useState(false)
  const list = useList(
    async () =>
      (await getAll<Price>('/admin/group-prices', { group_id: groupId }, 200)).filter(
        (p) => !p.group_id || p.group_id === groupId,
      ),
    { filters: groupId },
  )
  const columns = usePriceColumns('/admin/group-prices', list)

  return (
    <div data-testid="group-prices">
      <div className="toolbar" style={{ marginBottom: 12, justifyContent: 'space-between' }}>
        <span className="muted">{t('groups.pricesHelp')}</span>
        <Button
          type="primary"
          icon={<IconPlus />}
          onClick={() => setOpen(true)}
          data-testid="group-price-add"
        >
          {t('prices.addGroupPrice')}
        </Button>
      </div>
      <PanelTable<Price> list={list} columns={columns} rowKey="id" empty={t('prices.empty')} scrollX={760} />
      <PriceCreateModal
        visible={open}
        groupId={groupId}
        onClose={() => setOpen(false)}
        onSaved={() => {
          setOpen(false)
          Message.success(t('common.saved'))
          void list.reload()
        }}
      />
    </div>
  )
}
