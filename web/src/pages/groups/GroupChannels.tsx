import { Tag } from '@arco-design/web-react'
import { IconDelete } from '@arco-design/web-react/icon'
import { api, getAll, getList } from '../../api/client.ts'
import type { Channel, Group } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { ConfirmButton, useList } from '../../components/ListPage.tsx'
import { PanelTable } from '../../components/PanelTable.tsx'
import { PickAdd } from '../../components/PickAdd.tsx'

type Linked = Pick<Channel, 'id' | 'name' | 'provider' | 'base_url' | 'enabled' | 'weight'>

/** Link and unlink channels of one group. */
export function GroupChannels({ group }: { group: Group }) {
  const { t } = useI18n()
  const base = `/admin/groups/${group.id}/channels`
  const linked = useList(() => getList<Linked>(base), { filters: base })
  const all = useList(() => getAll<Channel>('/admin/channels'))

  const candidates = all.rows.filter((c) => !linked.rows.some((l) => l.id === c.id))
  return (
    <div data-testid="group-channels">
      <div style={{ marginBottom: 12 }}>
        <PickAdd
          placeholder={t('groups.pickChannel')}
          options={candidates.map((c) => ({ label: `${c.name} (${c.provider})`, value: c.id }))}
          label={t('groups.linkChannel')}
          onAdd={(id) => linked.run(() => api.post(`${base}/${id}`))}
          testId="group-channel"
          width={280}
          showSearch
        />
      </div>
      <PanelTable<Linked>
        list={linked}
        rowKey="id"
        empty={t('groups.noChannels')}
        columns={[
          { title: t('common.name'), dataIndex: 'name' },
          { title: t('channels.provider'), dataIndex: 'provider', render: (v: string) => <Tag>{v}</Tag> },
          { title: t('channels.weight'), dataIndex: 'weight' },
          {
            title: t('channels.enabled'),
            dataIndex: 'enabled',
            render: (v: boolean) =>
              v ? <Tag color="green">{t('common.yes')}</Tag> : <Tag>{t('common.no')}</Tag>,
          },
          {
            title: t('common.actions'),
            dataIndex: 'id',
            render: (id: string) => (
              <ConfirmButton
                title={t('groups.unlinkConfirm')}
                onOk={() => linked.run(() => api.delete(`${base}/${id}`))}
                label={t('groups.unlink')}
                icon={<IconDelete />}
                iconOnly
                status="danger"
                row
              />
            ),
          },
        ]}
      />
    </div>
  )
}
