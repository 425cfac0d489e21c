import { useState } from 'react'
import {
  Button,
  Drawer,
  Modal,
  Popconfirm,
  Select,
  Switch,
  Tag,
  type TableColumnProps,
} from '@arco-design/web-react'
import { api, getList } from '../api/client.ts'
import type { Role, User } from '../api/types.ts'
import { useAuth } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { NameCell } from '../components/NameCell.tsx'
import { SearchBox } from '../components/SearchBox.tsx'
import { useEditor } from '../components/useEditor.ts'
import { DeleteButton, EditButton, ListPage, timeColumn, useList } from '../components/ListPage.tsx'
import { usd } from '../lib/format.ts'
import { UserFormModal } from './users/UserFormModal.tsx'
import { UserGroups } from './users/UserGroups.tsx'
import { TopUpModal } from './users/TopUpModal.tsx'
import { BalanceHistory } from './users/BalanceHistory.tsx'

const roleColor = { user: 'gray', admin: 'arcoblue', superadmin: 'purple' } as const

export default function Users() {
  const { t } = useI18n()
  const me = useAuth((s) => s.username)
  const superadmin = useAuth((s) => s.role) === 'superadmin'
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const editor = useEditor<User>()
  const [groupsOf, setGroupsOf] = useState<string | null>(null)
  const [topUpOf, setTopUpOf] = useState<User | null>(null)
  const [historyOf, setHistoryOf] = useState<string | null>(null)
  const list = useList(
    (p) => getList<User>('/admin/users', { page: p.page, page_size: p.pageSize, q: search || undefined }),
    { filters: search, paged: true },
  )
  const path = (u: User) => `/admin/users/${encodeURIComponent(u.username)}`

  // A role or an account switch changes who can do what at once: both are asked first (issue 19 defect 7).
  const setRole = (u: User, role: Role) =>
    Modal.confirm({
      title: t('users.roleConfirm', { name: u.username, role: t(`role.${role}`) }),
      content: t('users.roleConfirmHelp'),
      okText: t('common.save'),
      cancelText: t('common.cancel'),
      onOk: () => list.run(() => api.put(`${path(u)}/role`, { role }), t('common.saved')),
    })
  const setDisabled = (u: User, disabled: boolean) =>
    Modal.confirm({
      title: t(disabled ? 'users.disableConfirm' : 'users.enableConfirm', { name: u.username }),
      okText: t(disabled ? 'users.disable' : 'users.enable'),
      cancelText: t('common.cancel'),
      okButtonProps: { status: disabled ? 'danger' : 'default' },
      onOk: () => list.run(() => api.patch(path(u), { disabled }), t('common.saved')),
    })

  const columns: TableColumnProps<User>[] = [
    {
      title: t('common.username'),
      dataIndex: 'username',
      render: (v: string, r) => <NameCell name={v} note={r.display_name} />,
    },
    {
      title: t('users.source'),
      dataIndex: 'auth_source',
      render: (v: string) => (
        <Tag>
          {v ? t(`users.sourceName.${v === 'ldap' || v === 'local' || v === 'fallback' ? v : 'other'}`) : '-'}
        </Tag>
      ),
    },
    {
      title: t('users.role'),
      dataIndex: 'role',
      render: (v: Role, r) =>
        superadmin && r.username !== me ? (
          <Select
            size="mini"
            style={{ width: 130 }}
            value={v}
            onChange={(role: Role) => setRole(r, role)}
            options={(['user', 'admin', 'superadmin'] as const).map((x) => ({
              label: t(`role.${x}`),
              value: x,
            }))}
            data-testid={`user-role-${r.username}`}
          />
        ) : (
          <Tag color={roleColor[v] ?? 'gray'}>{t(`role.${v}`)}</Tag>
        ),
    },
    {
      title: t('users.balance'),
      dataIndex: 'quota_usd',
      render: (v: number | null) => (v === null ? <Tag color="green">{t('common.unlimited')}</Tag> : usd(v)),
    },
    { title: t('users.used'), dataIndex: 'used_usd', render: (v: number) => usd(v) },
    {
      title: t('users.enabled'),
      dataIndex: 'disabled',
      render: (v: boolean, r) => (
        <Switch
          size="small"
          checked={!v}
          disabled={r.username === me}
          onChange={(on) => setDisabled(r, !on)}
          aria-label={t('users.enabled')}
          data-testid={`user-enabled-${r.username}`}
        />
      ),
    },
    timeColumn(t('users.lastLogin'), 'last_login_at'),
  ]

  const actions = (r: User) => (
    <>
      <EditButton onClick={() => editor.edit(r)} testId={`user-edit-${r.username}`} />
      <Button
        size="mini"
        type="text"
        onClick={() => setGroupsOf(r.username)}
        data-testid={`user-groups-${r.username}`}
      >
        {t('users.groups')}
      </Button>
      {/* An unlimited balance has nothing to add to (the server refuses it too). */}
      {r.quota_usd === null ? null : (
        <Button
          size="mini"
          type="text"
          onClick={() => setTopUpOf(r)}
          data-testid={`user-top-up-${r.username}`}
        >
          {t('users.topUp')}
        </Button>
      )}
      <Button
        size="mini"
        type="text"
        onClick={() => setHistoryOf(r.username)}
        data-testid={`user-history-${r.username}`}
      >
        {t('users.history')}
      </Button>
      {r.username === me ? null : (
        <DeleteButton
          title={t('users.deleteConfirm', { name: r.username })}
          onOk={() => list.run(() => api.delete(path(r)), t('common.deleted'))}
        />
      )}
    </>
  )

  const bulkSet = (selected: User[], disabled: boolean, clear: () => void) => (
    <Popconfirm
      title={t(disabled ? 'users.bulkDisableConfirm' : 'users.bulkEnableConfirm', { count: selected.length })}
      onOk={() =>
        list
          .run(() => Promise.all(selected.map((u) => api.patch(path(u), { disabled }))), t('common.saved'))
          .then(clear)
      }
    >
      <Button
        size="small"
        status={disabled ? 'danger' : 'success'}
        data-testid={disabled ? 'users-bulk-disable' : 'users-bulk-enable'}
      >
        {t(disabled ? 'users.disable' : 'users.enable')}
      </Button>
    </Popconfirm>
  )

  return (
    <ListPage<User>
      title={t('users.title')}
      testId="users"
      list={list}
      columns={columns}
      rowKey="username"
      actions={{ width: 330, render: actions }}
      bulk={(selected, clear) => (
        <>
          {bulkSet(selected, false, clear)}
          {bulkSet(selected, true, clear)}
        </>
      )}
      selectable={(u) => u.username !== me}
      scrollX={1200}
      toolbar={<SearchBox placeholder={t('users.search')} value={q} onChange={setQ} onSearch={setSearch} />}
      create={{
        label: t('users.create'),
        testId: 'user-create',
        onClick: editor.create,
      }}
    >
      <UserFormModal
        visible={editor.open}
        editing={editor.editing}
        superadmin={superadmin}
        onClose={editor.close}
        onSaved={() => {
          editor.close()
          void list.run(async () => undefined, t('common.saved'))
        }}
      />
      <Modal
        title={t('users.groupsOf', { name: groupsOf ?? '' })}
        visible={groupsOf !== null}
        onCancel={() => setGroupsOf(null)}
        footer={null}
        unmountOnExit
      >
        {groupsOf ? <UserGroups username={groupsOf} /> : null}
      </Modal>
      <TopUpModal
        username={topUpOf?.username ?? null}
        balance={topUpOf?.quota_usd ?? null}
        onClose={() => setTopUpOf(null)}
        onSaved={(amount) => {
          const name = topUpOf?.username ?? ''
          setTopUpOf(null)
          void list.run(async () => undefined, t('users.toppedUp', { amount: usd(amount), name }))
        }}
      />
      <Drawer
        title={t('users.historyOf', { name: historyOf ?? '' })}
        visible={historyOf !== null}
        onCancel={() => setHistoryOf(null)}
        footer={null}
        width="min(760px, 100vw)"
        unmountOnExit
        data-testid="user-history-drawer"
      >
        {historyOf ? (
          <BalanceHistory
            url={`/admin/users/${encodeURIComponent(historyOf)}/balance-history`}
            testId="user-balance-history"
          />
        ) : null}
      </Drawer>
    </ListPage>
  )
}
