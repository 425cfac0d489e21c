import { useState } from 'react'
import { Button, Message, Modal, Tag, type TableColumnProps } from '@arco-design/web-react'
import { api, getAll } from '../api/client.ts'
import type { Group } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { NameCell } from '../components/NameCell.tsx'
import { useEditor } from '../components/useEditor.ts'
import { DeleteButton, EditButton, ListPage, timeColumn, useList } from '../components/ListPage.tsx'
import { GroupFormModal } from './groups/GroupFormModal.tsx'
import { GroupChannels } from './groups/GroupChannels.tsx'
import { RulesPanel } from './groups/RulesPanel.tsx'
import { GroupPrices } from './groups/GroupPrices.tsx'

const panels = ['channels', 'rules', 'prices'] as const
type Panel = (typeof panels)[number]

export default function Groups() {
  const { t } = useI18n()
  const editor = useEditor<Group>()
  const [panel, setPanel] = useState<{ kind: Panel; group: Group } | null>(null)
  const list = useList(() => getAll<Group>('/admin/groups'))

  const columns: TableColumnProps<Group>[] = [
    {
      title: t('common.name'),
      dataIndex: 'name',
      render: (v: string, r) => <NameCell name={v} note={r.description} />,
    },
    { title: t('groups.priority'), dataIndex: 'priority' },
    { title: t('groups.multiplier'), dataIndex: 'multiplier', render: (v: number) => `×${v}` },
    {
      title: t('groups.allVisible'),
      dataIndex: 'all_visible',
      render: (v: boolean) =>
        v ? <Tag color="arcoblue">{t('groups.allVisibleTag')}</Tag> : <Tag>{t('groups.membersOnly')}</Tag>,
    },
    timeColumn(t('common.createdAt'), 'created_at'),
  ]

  const actions = (r: Group) => (
    <>
      <EditButton onClick={() => editor.edit(r)} testId={`group-edit-${r.name}`} />
      {panels.map((kind) => (
        <Button
          key={kind}
          size="mini"
          type="text"
          onClick={() => setPanel({ kind, group: r })}
          data-testid={`group-${kind}-${r.name}`}
        >
          {t(`groups.${kind}`)}
        </Button>
      ))}
      <DeleteButton
        title={t('groups.deleteConfirm')}
        onOk={() => list.run(() => api.delete(`/admin/groups/${r.id}`), t('common.deleted'))}
      />
    </>
  )

  const panelTitle = panel ? t(`groups.panel.${panel.kind}`, { name: panel.group.name }) : ''
  return (
    <ListPage<Group>
      title={t('groups.title')}
      testId="groups"
      list={list}
      columns={columns}
      rowKey="id"
      actions={{ width: 260, render: actions }}
      scrollX={1000}
      create={{
        label: t('groups.create'),
        testId: 'group-create',
        onClick: editor.create,
      }}
      empty={t('groups.empty')}
    >
      <GroupFormModal
        visible={editor.open}
        editing={editor.editing}
        onClose={editor.close}
        onSaved={() => {
          editor.close()
          Message.success(t('common.saved'))
          void list.reload()
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
    </ListPage>
  )
}
