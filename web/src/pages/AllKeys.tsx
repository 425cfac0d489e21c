import { useState } from 'react'
import { Button, Input, type TableColumnProps } from '@arco-design/web-react'
import { IconDelete, IconSearch } from '@arco-design/web-react/icon'
import { api, getList } from '../api/client.ts'
import type { ApiKey } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { SearchBox } from '../components/SearchBox.tsx'
import { ConfirmButton, ListPage, useList } from '../components/ListPage.tsx'
import { maskKey } from '../lib/format.ts'
import { useKeyStateColumns } from './keys/key-columns.tsx'
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
  const [issued, setIssued] = useState<ApiKey | null>(null)
  const list = useList(
    (p) =>
      getList<ApiKey>('/admin/tokens', {
        page: p.page,
        page_size: p.pageSize,
        username: filters.username || undefined,
        q: filters.q || undefined,
      }),
    { filters, paged: true },
  )
  const act = list.run

  const stateColumns = useKeyStateColumns()
  const columns: TableColumnProps<ApiKey>[] = [
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
    ...stateColumns,
  ]

  const actions = (r: ApiKey) => (
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

  const apply = (next: Partial<typeof filters> = {}) => {
    setFilters({ username: username.trim(), q: q.trim(), ...next })
  }
  return (
    <ListPage<ApiKey>
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
            onPressEnter={() => apply()}
            allowClear
          />
          <SearchBox
            placeholder={t('allKeys.search')}
            value={q}
            onChange={setQ}
            onSearch={(text) => apply({ q: text })}
            width={180}
          />
          <Button type="primary" icon={<IconSearch />} onClick={() => apply()}>
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
