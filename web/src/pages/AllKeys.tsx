import { useCallback, useEffect, useState } from 'react'
import {
  Button,
  Card,
  Input,
  Message,
  Popconfirm,
  Space,
  Table,
  Tag,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconDelete, IconRefresh, IconSearch } from '@arco-design/web-react/icon'
import { api, errorMessage, getList } from '../api/client.ts'
import type { Token } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { useIsMobile } from '../components/useMedia.ts'
import { dateOnly, dateTime, maskKey, usd } from '../lib/format.ts'
import { keyStatus, statusColor } from './keys/status.ts'

/** Every user's keys, so an admin can stop a leaked one. */
export default function AllKeys() {
  const { t } = useI18n()
  const mobile = useIsMobile()
  const [rows, setRows] = useState<Token[]>([])
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [username, setUsername] = useState('')
  const [q, setQ] = useState('')
  const [filters, setFilters] = useState({ username: '', q: '' })
  const [loading, setLoading] = useState(false)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      const r = await getList<Token>('/admin/tokens', {
        page,
        page_size: pageSize,
        username: filters.username || undefined,
        q: filters.q || undefined,
      })
      setRows(r.data)
      setTotal(r.total)
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [page, pageSize, filters])

  useEffect(() => {
    void load()
  }, [load])

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
    {
      title: t('common.username'),
      dataIndex: 'username',
      render: (v: string | null) => v ?? <span className="muted">{t('allKeys.ownerless')}</span>,
    },
    { title: t('keys.name'), dataIndex: 'name', render: (v: string) => <b>{v}</b> },
    {
      title: t('keys.key'),
      dataIndex: 'key_prefix',
      render: (v: string) => <span className="mono">{maskKey(v)}</span>,
    },
    {
      title: t('keys.usedQuota'),
      dataIndex: 'used_usd',
      render: (_: number, r) => (
        <span className="nowrap">
          {usd(r.used_usd)} / {r.quota_usd ? usd(r.quota_usd) : t('keys.noCap')}
        </span>
      ),
    },
    {
      title: t('common.status'),
      dataIndex: 'frozen',
      render: (_: boolean, r) => {
        const s = keyStatus(r)
        return (
          <Tag color={statusColor[s]}>
            {s === 'frozen' && r.frozen_by === 'admin' ? t('keys.frozenByAdmin') : t(`keys.status.${s}`)}
          </Tag>
        )
      },
    },
    {
      title: t('keys.expiresAt'),
      dataIndex: 'expires_at',
      render: (v: string | null) => (v ? dateOnly(v) : '-'),
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
      key: 'actions',
      fixed: mobile ? undefined : 'right',
      render: (_: unknown, r) => (
        <Space size={2}>
          {r.frozen ? (
            <Popconfirm
              title={t('keys.unfreezeConfirm')}
              onOk={() =>
                act(() => api.patch(`/admin/tokens/${r.id}/freeze`, { frozen: false }), t('keys.unfrozen'))
              }
            >
              <Button size="mini" type="text" status="success">
                {t('keys.unfreeze')}
              </Button>
            </Popconfirm>
          ) : (
            <Popconfirm
              title={t('keys.freezeConfirm')}
              onOk={() =>
                act(() => api.post(`/admin/tokens/${r.id}/freeze`, { frozen: true }), t('keys.frozen'))
              }
            >
              <Button size="mini" type="text" status="warning" data-testid={`admin-key-freeze-${r.id}`}>
                {t('keys.freeze')}
              </Button>
            </Popconfirm>
          )}
          <Popconfirm
            title={t('allKeys.revokeConfirm')}
            onOk={() => act(() => api.delete(`/admin/tokens/${r.id}`), t('allKeys.revoked'))}
          >
            <Button size="mini" type="text" status="danger" icon={<IconDelete />}>
              {t('allKeys.revoke')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    },
  ]

  const apply = () => {
    setPage(1)
    setFilters({ username: username.trim(), q: q.trim() })
  }
  return (
    <div className="page" data-testid="page-all-keys">
      <div className="page-head">
        <h2>{t('allKeys.title')}</h2>
        <div className="toolbar">
          <Input
            style={{ width: 160 }}
            placeholder={t('common.username')}
            value={username}
            onChange={setUsername}
            onPressEnter={apply}
            allowClear
          />
          <Input
            style={{ width: 180 }}
            placeholder={t('allKeys.search')}
            value={q}
            onChange={setQ}
            onPressEnter={apply}
            allowClear
          />
          <Button type="primary" icon={<IconSearch />} onClick={apply}>
            {t('common.query')}
          </Button>
          <Button icon={<IconRefresh />} onClick={() => void load()} aria-label={t('common.refresh')} />
        </div>
      </div>
      <Card>
        <Table<Token>
          rowKey="id"
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
            onChange: (p, s) => {
              setPage(p)
              setPageSize(s)
            },
          }}
          noDataElement={<span className="muted">{t('common.noData')}</span>}
          data-testid="all-keys-table"
        />
      </Card>
    </div>
  )
}
