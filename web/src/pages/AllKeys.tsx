import { useState } from 'react'
import { Button, Input, Tag, type TableColumnProps } from '@arco-design/web-react'
import { IconDelete, IconSearch } from '@arco-design/web-react/icon'
import { api, getList } from '../api/client.ts'
import type { Token } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { ConfirmButton, ListPage, timeColumn, useList } from '../components/ListPage.tsx'
import { dateOnly, maskKey, usd } from '../lib/format.ts'
import { keyStatus, statusColor } from './keys/status.ts'
import { KeyBulkActions } from './keys/KeyBulkActions.tsx'
import { FreezeButton } from './keys/FreezeButton.tsx'
import { IssueKeyModal } from './keys/IssueKeyModal.tsx'
import { CreatedKeyModal } from './keys/CreatedKeyModal.tsx'

/** Every user's keys, so an admin can stop a leaked one. */
export default function AllKeys() {
  const { t } = useI18n()
  const [username, setUsername] = useState('')
  const [q, setQ] = useState('')
  const [filters, setFilters] = useState({ username: '', q: '' })
  const [issuing, setIssuing] = useState(false)
  const [issued, setIssued] = useState<Token | null>(null)
  const list = useList(
    (p) =>
      getList<Token>('/admin/tokens', {
        page: p.page,
        page_size: p.pageSize,
        username: filters.username || undefined,
        q: filters.q || undefined,
      }),
    { filters, paged: true },
  )
  const act = list.run

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
      width: 200,
      render: (v: string) => <span className="mono">{maskKey(v)}</span>,
    },
    {
      title: t('keys.usedQuota'),
      dataIndex: 'used_usd',
      width: 170,
      render: (_: number, r) => (
        <span className="nowrap">
          {usd(r.used_usd)} / {r.quota_usd ? usd(r.quota_usd) : t('keys.noCap')}
        </span>
      ),
    },
    {
      title: t('common.status'),
      dataIndex: 'frozen',
      width: 130,
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
      width: 120,
      render: (v: string | null) => (v ? dateOnly(v) : '-'),
    },
    timeColumn(t('keys.lastUsed'), 'last_used_at'),
    timeColumn(t('common.createdAt'), 'created_at'),
  ]

  const actions = (r: Token) => (
    <>
      <FreezeButton base="/admin/tokens" row={r} list={list} testId="admin-key" />
      <ConfirmButton
        title={t('allKeys.revokeConfirm')}
        onOk={() => act(() => api.delete(`/admin/tokens/${r.id}`), t('allKeys.revoked'))}
        label={t('allKeys.revoke')}
        icon={<IconDelete />}
        status="danger"
        row
      />
    </>
  )

  const apply = () => {
    setFilters({ username: username.trim(), q: q.trim() })
  }
  return (
    <ListPage<Token>
      title={t('allKeys.title')}
      testId="all-keys"
      list={list}
      columns={columns}
      rowKey="id"
      actions={{ width: 190, render: actions }}
      bulk={(selected, clear) => (
        <KeyBulkActions
          base="/admin/tokens"
          selected={selected}
          clear={clear}
          list={list}
          testId="all-keys"
          deleteLabel={t('allKeys.revoke')}
        />
      )}
      scrollX={1450}
      toolbar={
        <>
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
        </>
      }
      create={{ label: t('allKeys.issue'), testId: 'key-issue', onClick: () => setIssuing(true) }}
    >
      <IssueKeyModal
        visible={issuing}
        onClose={() => setIssuing(false)}
        onIssued={(tok) => {
          setIssuing(false)
          setIssued(tok)
          void list.reload()
        }}
      />
      <CreatedKeyModal
        created={issued}
        title={t('allKeys.issuedTitle', { name: issued?.username ?? '' })}
        onClose={() => setIssued(null)}
      />
    </ListPage>
  )
}
