import { useCallback, useEffect, useState } from 'react'
import {
  Button,
  Card,
  Message,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconDelete, IconEdit, IconPlus, IconRefresh } from '@arco-design/web-react/icon'
import { api, errorMessage, getAll } from '../api/client.ts'
import type { Group } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { useIsMobile } from '../components/useMedia.ts'
import { dateTime } from '../lib/format.ts'
import { GroupFormModal } from './groups/GroupFormModal.tsx'
import { GroupChannels } from './groups/GroupChannels.tsx'
import { RulesPanel } from './groups/RulesPanel.tsx'
import { GroupPrices } from './groups/GroupPrices.tsx'

type Panel = 'channels' | 'rules' | 'prices'

export default function Groups() {
  const { t } = useI18n()
  const mobile = useIsMobile()
  const [rows, setRows] = useState<Group[]>([])
  const [loading, setLoading] = useState(false)
  const [formOpen, setFormOpen] = useState(false)
  const [editing, setEditing] = useState<Group | null>(null)
  const [panel, setPanel] = useState<{ kind: Panel; group: Group } | null>(null)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      setRows(await getAll<Group>('/admin/groups'))
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  const columns: TableColumnProps<Group>[] = [
    {
      title: t('common.name'),
      dataIndex: 'name',
      render: (v: string, r) => (
        <span>
          <b>{v}</b>
          {r.description ? (
            <div className="muted" style={{ fontSize: 12 }}>
              {r.description}
            </div>
          ) : null}
        </span>
      ),
    },
    { title: t('groups.priority'), dataIndex: 'priority' },
    { title: t('groups.multiplier'), dataIndex: 'multiplier', render: (v: number) => `×${v}` },
    {
      title: t('groups.allVisible'),
      dataIndex: 'all_visible',
      render: (v: boolean) =>
        v ? <Tag color="arcoblue">{t('groups.allVisibleTag')}</Tag> : <Tag>{t('groups.membersOnly')}</Tag>,
    },
    {
      title: t('common.createdAt'),
      dataIndex: 'created_at',
      render: (v: string) => <span className="nowrap">{dateTime(v)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: mobile ? undefined : 'right',
      render: (_: unknown, r) => (
        <Space size={2} wrap>
          <Button
            size="mini"
            type="text"
            icon={<IconEdit />}
            onClick={() => {
              setEditing(r)
              setFormOpen(true)
            }}
            aria-label={t('common.edit')}
          />
          <Button
            size="mini"
            type="text"
            onClick={() => setPanel({ kind: 'channels', group: r })}
            data-testid={`group-channels-${r.name}`}
          >
            {t('groups.channels')}
          </Button>
          <Button
            size="mini"
            type="text"
            onClick={() => setPanel({ kind: 'rules', group: r })}
            data-testid={`group-rules-${r.name}`}
          >
            {t('groups.rules')}
          </Button>
          <Button
            size="mini"
            type="text"
            onClick={() => setPanel({ kind: 'prices', group: r })}
            data-testid={`group-prices-${r.name}`}
          >
            {t('groups.prices')}
          </Button>
          <Popconfirm
            title={t('groups.deleteConfirm')}
            onOk={async () => {
              try {
                await api.delete(`/admin/groups/${r.id}`)
                Message.success(t('common.deleted'))
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
              aria-label={t('common.delete')}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ]

  const panelTitle = panel ? t(`groups.panel.${panel.kind}`, { name: panel.group.name }) : ''
  return (
    <div className="page" data-testid="page-groups">
      <div className="page-head">
        <h2>{t('groups.title')}</h2>
        <div className="toolbar">
          <Button icon={<IconRefresh />} onClick={() => void load()} aria-label={t('common.refresh')} />
          <Button
            type="primary"
            icon={<IconPlus />}
            onClick={() => {
              setEditing(null)
              setFormOpen(true)
            }}
            data-testid="group-create"
          >
            {t('groups.create')}
          </Button>
        </div>
      </div>
      <Card>
        <Table<Group>
          rowKey="id"
          loading={loading}
          columns={columns}
          data={rows}
          scroll={{ x: 900 }}
          border={false}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          noDataElement={<span className="muted">{t('groups.empty')}</span>}
          data-testid="groups-table"
        />
      </Card>
      <GroupFormModal
        visible={formOpen}
        editing={editing}
        onClose={() => setFormOpen(false)}
        onSaved={() => {
          setFormOpen(false)
          Message.success(t('common.saved'))
          void load()
        }}
      />
      <Modal
        title={panelTitle}
        visible={panel !== null}
        onCancel={() => setPanel(null)}
        footer={null}
        style={{ width: 820, maxWidth: '100%' }}
        unmountOnExit
      >
        {panel?.kind === 'channels' ? <GroupChannels group={panel.group} /> : null}
        {panel?.kind === 'rules' ? <RulesPanel groupId={panel.group.id} /> : null}
        {panel?.kind === 'prices' ? <GroupPrices groupId={panel.group.id} /> : null}
      </Modal>
    </div>
  )
}
