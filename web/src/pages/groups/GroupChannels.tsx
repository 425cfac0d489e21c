import { useCallback, useEffect, useState } from 'react'
import { Button, Message, Popconfirm, Select, Space, Table, Tag } from '@arco-design/web-react'
import { IconDelete, IconPlus } from '@arco-design/web-react/icon'
import { api, errorMessage, getAll, getList } from '../../api/client.ts'
import type { Channel, Group } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'

type Linked = Pick<Channel, 'id' | 'name' | 'provider' | 'base_url' | 'enabled' | 'weight'>

/** Link and unlink channels of one group. */
export function GroupChannels({ group }: { group: Group }) {
  const { t } = useI18n()
  const [linked, setLinked] = useState<Linked[]>([])
  const [all, setAll] = useState<Channel[]>([])
  const [pick, setPick] = useState<string | undefined>()
  const [loading, setLoading] = useState(false)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      const [l, a] = await Promise.all([
        getList<Linked>(`/admin/groups/${group.id}/channels`),
        getAll<Channel>('/admin/channels'),
      ])
      setLinked(l.data)
      setAll(a)
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [group.id])

  useEffect(() => {
    void load()
  }, [load])

  const add = async () => {
    if (!pick) return
    try {
      await api.post(`/admin/groups/${group.id}/channels/${pick}`)
      setPick(undefined)
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }

  const candidates = all.filter((c) => !linked.some((l) => l.id === c.id))
  return (
    <div data-testid="group-channels">
      <Space style={{ marginBottom: 12, width: '100%' }} wrap>
        <Select
          style={{ width: 280, maxWidth: '70vw' }}
          placeholder={t('groups.pickChannel')}
          value={pick}
          onChange={(v: string) => setPick(v)}
          options={candidates.map((c) => ({ label: `${c.name} (${c.provider})`, value: c.id }))}
          showSearch
          data-testid="group-channel-pick"
        />
        <Button
          type="primary"
          icon={<IconPlus />}
          disabled={!pick}
          onClick={() => void add()}
          data-testid="group-channel-add"
        >
          {t('groups.linkChannel')}
        </Button>
      </Space>
      <Table<Linked>
        rowKey="id"
        loading={loading}
        data={linked}
        pagination={false}
        size="small"
        border={false}
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
              <Popconfirm
                title={t('groups.unlinkConfirm')}
                onOk={async () => {
                  try {
                    await api.delete(`/admin/groups/${group.id}/channels/${id}`)
                    await load()
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
                  aria-label={t('groups.unlink')}
                />
              </Popconfirm>
            ),
          },
        ]}
        noDataElement={<span className="muted">{t('groups.noChannels')}</span>}
      />
    </div>
  )
}
