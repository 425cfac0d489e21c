import { useCallback, useEffect, useState } from 'react'
import {
  Button,
  Card,
  Input,
  Message,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconDelete, IconEdit, IconPlus, IconRefresh, IconSearch } from '@arco-design/web-react/icon'
import { api, errorMessage, getList } from '../api/client.ts'
import type { Role, User } from '../api/types.ts'
import { useAuth } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { useIsMobile } from '../components/useMedia.ts'
import { dateTime, usd } from '../lib/format.ts'
import { UserFormModal } from './users/UserFormModal.tsx'
import { UserGroups } from './users/UserGroups.tsx'

const roleColor = { user: 'gray', admin: 'arcoblue', superadmin: 'purple' } as const

export default function Users() {
  const { t } = useI18n()
  const mobile = useIsMobile()
  const me = useAuth((s) => s.username)
  const superadmin = useAuth((s) => s.role) === 'superadmin'
  const [rows, setRows] = useState<User[]>([])
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const [loading, setLoading] = useState(false)
  const [formOpen, setFormOpen] = useState(false)
  const [editing, setEditing] = useState<User | null>(null)
  const [groupsOf, setGroupsOf] = useState<string | null>(null)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      const r = await getList<User>('/admin/users', { page, page_size: pageSize, q: search || undefined })
      setRows(r.data)
      setTotal(r.total)
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [page, pageSize, search])

  useEffect(() => {
    void load()
  }, [load])

  const patch = async (u: User, body: Record<string, unknown>) => {
    try {
      await api.patch(`/admin/users/${encodeURIComponent(u.username)}`, body)
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }
  const setRole = async (u: User, role: Role) => {
    try {
      await api.put(`/admin/users/${encodeURIComponent(u.username)}/role`, { role })
      Message.success(t('common.saved'))
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }

  const columns: TableColumnProps<User>[] = [
    {
      title: t('common.username'),
      dataIndex: 'username',
      render: (v: string, r) => (
        <span>
          <b>{v}</b>
          {r.display_name ? (
            <div className="muted" style={{ fontSize: 12 }}>
              {r.display_name}
            </div>
          ) : null}
        </span>
      ),
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
            onChange={(role: Role) => void setRole(r, role)}
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
          onChange={(on) => void patch(r, { disabled: !on })}
        />
      ),
    },
    {
      title: t('users.lastLogin'),
      dataIndex: 'last_login_at',
      render: (v: string | null) => <span className="nowrap">{v ? dateTime(v) : '-'}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      fixed: mobile ? undefined : 'right',
      render: (_: unknown, r) => (
        <Space size={2}>
          <Button
            size="mini"
            type="text"
            icon={<IconEdit />}
            onClick={() => {
              setEditing(r)
              setFormOpen(true)
            }}
            aria-label={t('common.edit')}
            data-testid={`user-edit-${r.username}`}
          />
          <Button
            size="mini"
            type="text"
            onClick={() => setGroupsOf(r.username)}
            data-testid={`user-groups-${r.username}`}
          >
            {t('users.groups')}
          </Button>
          <Popconfirm
            title={t('users.deleteConfirm', { name: r.username })}
            disabled={r.username === me}
            onOk={async () => {
              try {
                await api.delete(`/admin/users/${encodeURIComponent(r.username)}`)
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
              disabled={r.username === me}
              aria-label={t('common.delete')}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ]

  return (
    <div className="page" data-testid="page-users">
      <div className="page-head">
        <h2>{t('users.title')}</h2>
        <div className="toolbar">
          <Input
            style={{ width: 200 }}
            prefix={<IconSearch />}
            placeholder={t('users.search')}
            value={q}
            onChange={setQ}
            onPressEnter={() => {
              setPage(1)
              setSearch(q.trim())
            }}
            allowClear
            onClear={() => {
              setPage(1)
              setSearch('')
            }}
          />
          <Button icon={<IconRefresh />} onClick={() => void load()} aria-label={t('common.refresh')} />
          <Button
            type="primary"
            icon={<IconPlus />}
            onClick={() => {
              setEditing(null)
              setFormOpen(true)
            }}
            data-testid="user-create"
          >
            {t('users.create')}
          </Button>
        </div>
      </div>
      <Card>
        <Table<User>
          rowKey="username"
          loading={loading}
          columns={columns}
          data={rows}
          scroll={{ x: 1100 }}
          border={false}
          pagination={{
            current: page,
            pageSize,
            total,
            showTotal: true,
            sizeCanChange: true,
            hideOnSinglePage: total <= 20,
            onChange: (p, s) => {
              setPage(p)
              setPageSize(s)
            },
          }}
          noDataElement={<span className="muted">{t('common.noData')}</span>}
          data-testid="users-table"
        />
      </Card>
      <UserFormModal
        visible={formOpen}
        editing={editing}
        superadmin={superadmin}
        onClose={() => setFormOpen(false)}
        onSaved={() => {
          setFormOpen(false)
          Message.success(t('common.saved'))
          void load()
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
    </div>
  )
}
