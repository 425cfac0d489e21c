import { useCallback, useEffect, useState } from 'react'
import { Button, Message } from '@arco-design/web-react'
import { IconPlus } from '@arco-design/web-react/icon'
import { errorMessage, getAll } from '../../api/client.ts'
import type { Price } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { PriceCreateModal } from '../prices/PriceCreateModal.tsx'
import { PriceTable } from '../prices/PriceTable.tsx'

/** Prices that override the global ones for this group. */
export function GroupPrices({ groupId }: { groupId: string }) {
  const { t } = useI18n()
  const [rows, setRows] = useState<Price[]>([])
  const [loading, setLoading] = useState(false)
  const [open, setOpen] = useState(false)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      const list = await getAll<Price>('/admin/group-prices', { group_id: groupId }, 200)
      setRows(list.filter((p) => !p.group_id || p.group_id === groupId))
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [groupId])

  useEffect(() => {
    void load()
  }, [load])

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
      <PriceTable
        rows={rows}
        loading={loading}
        endpoint="/admin/group-prices"
        onChanged={() => void load()}
      />
      <PriceCreateModal
        visible={open}
        groupId={groupId}
        onClose={() => setOpen(false)}
        onSaved={() => {
          setOpen(false)
          void load()
        }}
      />
    </div>
  )
}
