import { useEffect, useMemo, useState } from 'react'
import { Button, Message, Tag, Tooltip, type TableColumnProps } from '@arco-design/web-react'
import { IconMessage } from '@arco-design/web-react/icon'
import { useNavigate } from 'react-router'
import { api, getAll } from '../api/client.ts'
import type { GroupRef, ApiKey } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { useEditor } from '../components/useEditor.ts'
import { DeleteButton, EditButton, ListPage, useList } from '../components/ListPage.tsx'
import { maskKey } from '../lib/format.ts'
import { CopyButton } from '../components/CopyButton.tsx'
import { forgetKey, keyFor, rememberKey } from '../store/keys.ts'
import { KeyFormModal } from './keys/KeyFormModal.tsx'
import { CreatedKeyModal } from './keys/CreatedKeyModal.tsx'
import { useKeyStateColumns } from './keys/key-columns.tsx'
import { KeyBulkActions } from './keys/KeyBulkActions.tsx'
import { FreezeButton } from './keys/FreezeButton.tsx'

export default function ApiKeys() {
  const { t } = useI18n()
  const nav = useNavigate()
  const [groups, setGroups] = useState<GroupRef[]>([])
  const editor = useEditor<ApiKey>()
  const [created, setCreated] = useState<ApiKey | null>(null)
  const list = useList(() => getAll<ApiKey>('/user/tokens'))
  const act = list.run

  useEffect(() => {
    getAll<GroupRef>('/user/groups')
      .then(setGroups)
      .catch(() => setGroups([]))
  }, [])

  const groupName = useMemo(() => new Map(groups.map((g) => [g.id, g.name])), [groups])

  const stateColumns = useKeyStateColumns()
  const columns: TableColumnProps<ApiKey>[] = [
    { title: t('keys.name'), dataIndex: 'name', render: (v: string) => <b>{v}</b> },
    {
      title: t('keys.key'),
      dataIndex: 'key_prefix',
      width: 200,
      render: (v: string, r) => {
        const full = keyFor(r.id)
        return (
          <span className="mono nowrap">
            {maskKey(v)}
            {full ? (
              <Tooltip content={t('keys.copyFull')}>
                <span>
                  <CopyButton text={full} />
                </span>
              </Tooltip>
            ) : null}
          </span>
        )
      },
    },
    {
      title: t('keys.group'),
      dataIndex: 'group_id',
      width: 130,
      render: (v: string | null) =>
        v ? (
          <Tag color="arcoblue">{groupName.get(v) ?? v.slice(0, 8)}</Tag>
        ) : (
          <span className="muted">{t('keys.noGroupShort')}</span>
        ),
    },
    ...stateColumns,
  ]

  const actions = (r: ApiKey) => (
    <>
      <Tooltip content={t('keys.useInChat')}>
        <Button
          size="mini"
          type="text"
          icon={<IconMessage />}
          onClick={() => void nav(`/chat?key=${encodeURIComponent(r.id)}`)}
          aria-label={t('keys.useInChat')}
        />
      </Tooltip>
      <EditButton onClick={() => editor.edit(r)} testId={`key-edit-${r.id}`} />
      {r.frozen && r.frozen_by === 'admin' ? (
        // Only an administrator lifts an administrator's freeze; the server refuses it too.
        <Tooltip content={t('keys.frozenByAdminHint')}>
          <Button size="mini" type="text" disabled data-testid={`key-unfreeze-${r.id}`}>
            {t('keys.unfreeze')}
          </Button>
        </Tooltip>
      ) : (
        <FreezeButton base="/user/tokens" row={r} list={list} testId="key" />
      )}
      <DeleteButton
        title={t('keys.deleteConfirm')}
        onOk={() =>
          act(async () => {
            await api.delete(`/user/tokens/${r.id}`)
            forgetKey(r.id)
          }, t('common.deleted'))
        }
        testId={`key-delete-${r.id}`}
      />
    </>
  )

  return (
    <ListPage<ApiKey>
      title={t('keys.title')}
      testId="apikeys"
      tableTestId="keys-table"
      list={list}
      columns={columns}
      rowKey="id"
      actions={{ width: 210, render: actions }}
      bulk={(selected, clear) => (
        <KeyBulkActions
          base="/user/tokens"
          selected={selected}
          clear={clear}
          list={list}
          testId="keys"
          onDeleted={forgetKey}
        />
      )}
      scrollX={1450}
      create={{
        label: t('keys.create'),
        testId: 'key-create',
        onClick: editor.create,
      }}
      empty={t('keys.empty')}
    >
      <KeyFormModal
        visible={editor.open}
        editing={editor.editing}
        groups={groups}
        onClose={editor.close}
        onDone={(tok) => {
          editor.close()
          if (!editor.editing && tok.key) {
            rememberKey({ id: tok.id, name: tok.name, key: tok.key })
            setCreated(tok)
          } else Message.success(t('common.saved'))
          void list.reload()
        }}
      />

      <CreatedKeyModal
        created={created}
        onClose={() => setCreated(null)}
        extra={
          <Button onClick={() => void nav(`/chat?key=${encodeURIComponent(created?.id ?? '')}`)}>
            {t('keys.tryInChat')}
          </Button>
        }
      />
    </ListPage>
  )
}
