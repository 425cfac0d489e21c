import { useCallback, useEffect, useMemo, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Message,
  Modal,
  Popconfirm,
  Space,
  Table,
  Tag,
  Tooltip,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconDelete, IconEdit, IconMessage, IconPlus, IconRefresh } from '@arco-design/web-react/icon'
import { useNavigate } from 'react-router'
import { api, errorMessage, getAll } from '../api/client.ts'
import type { GroupRef, Token } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { useIsMobile } from '../components/useMedia.ts'
import { dateOnly, dateTime, maskKey, usd } from '../lib/format.ts'
import { CopyButton } from '../components/CopyButton.tsx'
import { forgetKey, keyFor, rememberKey } from '../store/keys.ts'
import { KeyFormModal } from './keys/KeyFormModal.tsx'
import { keyStatus, statusColor } from './keys/status.ts'

export default function ApiKeys() {
  const { t } = useI18n()
  const mobile = useIsMobile()
  const nav = useNavigate()
  const [keys, setKeys] = useState<Token[]>([])
  const [groups, setGroups] = useState<GroupRef[]>([])
  const [loading, setLoading] = useState(false)
  const [formOpen, setFormOpen] = useState(false)
  const [editing, setEditing] = useState<Token | null>(null)
  const [created, setCreated] = useState<Token | null>(null)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      setKeys(await getAll<Token>('/user/tokens'))
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [])

  useEffect(() => {
    void load()
    getAll<GroupRef>('/user/groups')
      .then(setGroups)
      .catch(() => setGroups([]))
  }, [load])

  const groupName = useMemo(() => new Map(groups.map((g) => [g.id, g.name])), [groups])

  const act = async (fn: () => Promise<unknown>, ok: string) => {
    try {
      await fn()
      Message.success(ok)
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }

  const columns: TableColumnProps<Token>[] = [
    { title: t('keys.name'), dataIndex: 'name', render: (v: string) => <b>{v}</b> },
    {
      title: t('keys.key'),
      dataIndex: 'key_prefix',
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
      render: (v: string | null) =>
        v ? (
          <Tag color="arcoblue">{groupName.get(v) ?? v.slice(0, 8)}</Tag>
        ) : (
          <span className="muted">{t('keys.noGroupShort')}</span>
        ),
    },
    {
      title: t('keys.usedQuota'),
      dataIndex: 'used_usd',
      render: (_: number, r) => (
        <span className="nowrap">
          {usd(r.used_usd)} /{' '}
          {r.quota_usd && r.quota_usd > 0 ? (
            usd(r.quota_usd)
          ) : (
            <span className="muted">{t('keys.noCap')}</span>
          )}
        </span>
      ),
    },
    {
      title: t('common.status'),
      dataIndex: 'frozen',
      render: (_: boolean, r) => {
        const s = keyStatus(r)
        return (
          <Tag color={statusColor[s]} data-testid={`key-status-${r.id}`}>
            {s === 'frozen' && r.frozen_by === 'admin' ? t('keys.frozenByAdmin') : t(`keys.status.${s}`)}
          </Tag>
        )
      },
    },
    {
      title: t('keys.expiresAt'),
      dataIndex: 'expires_at',
      render: (v: string | null) => (v ? dateOnly(v) : <span className="muted">{t('keys.never')}</span>),
    },
    {
      title: t('keys.lastUsed'),
      dataIndex: 'last_used_at',
      render: (v: string | null) => <span className="nowrap">{v ? dateTime(v) : '-'}</span>,
    },
    {
      title: t('common.createdAt'),
      dataIndex: 'created_at',
      render: (v: string) => <span className="nowrap">{dateTime(v)}</span>,
    },
    {
      title: t('common.actions'),
      dataIndex: 'id',
      fixed: mobile ? undefined : 'right',
      render: (_: string, r) => (
        <Space size={4}>
          <Tooltip content={t('keys.useInChat')}>
            <Button
              size="mini"
              type="text"
              icon={<IconMessage />}
              onClick={() => void nav(`/chat?key=${encodeURIComponent(r.id)}`)}
              aria-label={t('keys.useInChat')}
            />
          </Tooltip>
          <Button
            size="mini"
            type="text"
            icon={<IconEdit />}
            onClick={() => {
              setEditing(r)
              setFormOpen(true)
            }}
            aria-label={t('common.edit')}
            data-testid={`key-edit-${r.id}`}
          />
          {r.frozen && r.frozen_by === 'admin' ? (
            // Only an administrator lifts an administrator's freeze; the server refuses it too.
            <Tooltip content={t('keys.frozenByAdminHint')}>
              <Button size="mini" type="text" disabled data-testid={`key-unfreeze-${r.id}`}>
                {t('keys.unfreeze')}
              </Button>
            </Tooltip>
          ) : r.frozen ? (
            <Popconfirm
              title={t('keys.unfreezeConfirm')}
              onOk={() =>
                act(() => api.patch(`/user/tokens/${r.id}/freeze`, { frozen: false }), t('keys.unfrozen'))
              }
            >
              <Button size="mini" type="text" status="success" data-testid={`key-unfreeze-${r.id}`}>
                {t('keys.unfreeze')}
              </Button>
            </Popconfirm>
          ) : (
            <Popconfirm
              title={t('keys.freezeConfirm')}
              onOk={() =>
                act(() => api.post(`/user/tokens/${r.id}/freeze`, { frozen: true }), t('keys.frozen'))
              }
            >
              <Button size="mini" type="text" status="warning" data-testid={`key-freeze-${r.id}`}>
                {t('keys.freeze')}
              </Button>
            </Popconfirm>
          )}
          <Popconfirm
            title={t('keys.deleteConfirm')}
            onOk={() =>
              act(async () => {
                await api.delete(`/user/tokens/${r.id}`)
                forgetKey(r.id)
              }, t('common.deleted'))
            }
          >
            <Button
              size="mini"
              type="text"
              status="danger"
              icon={<IconDelete />}
              aria-label={t('common.delete')}
              data-testid={`key-delete-${r.id}`}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ]

  return (
    <div className="page" data-testid="page-apikeys">
      <div className="page-head">
        <h2>{t('keys.title')}</h2>
        <div className="toolbar">
          <Button icon={<IconRefresh />} onClick={() => void load()} aria-label={t('common.refresh')} />
          <Button
            type="primary"
            icon={<IconPlus />}
            onClick={() => {
              setEditing(null)
              setFormOpen(true)
            }}
            data-testid="key-create"
          >
            {t('keys.create')}
          </Button>
        </div>
      </div>
      <Card>
        <Table<Token>
          rowKey="id"
          loading={loading}
          columns={columns}
          data={keys}
          scroll={{ x: 1100 }}
          border={false}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          noDataElement={<span className="muted">{t('keys.empty')}</span>}
          data-testid="keys-table"
        />
      </Card>

      <KeyFormModal
        visible={formOpen}
        editing={editing}
        groups={groups}
        onClose={() => setFormOpen(false)}
        onDone={(tok) => {
          setFormOpen(false)
          if (!editing && tok.key) {
            rememberKey({ id: tok.id, name: tok.name, key: tok.key })
            setCreated(tok)
          } else Message.success(t('common.saved'))
          void load()
        }}
      />

      <Modal
        title={t('keys.createdTitle')}
        visible={created !== null}
        onCancel={() => setCreated(null)}
        footer={
          <Space>
            <Button onClick={() => void nav(`/chat?key=${encodeURIComponent(created?.id ?? '')}`)}>
              {t('keys.tryInChat')}
            </Button>
            <Button type="primary" onClick={() => setCreated(null)} data-testid="key-created-close">
              {t('keys.savedIt')}
            </Button>
          </Space>
        }
        maskClosable={false}
        data-testid="key-created-modal"
      >
        <Alert type="warning" content={t('keys.shownOnce')} style={{ marginBottom: 12 }} />
        <div className="key-reveal mono">
          <span style={{ flex: 1 }} data-testid="created-key">
            {created?.key}
          </span>
          <CopyButton
            text={created?.key ?? ''}
            type="primary"
            size="small"
            label={t('common.copy')}
            testId="copy-created-key"
          />
        </div>
      </Modal>
    </div>
  )
}
