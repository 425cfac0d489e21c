import { useState } from 'react'
import { Button, Checkbox, Message, Modal } from '@arco-design/web-react'
import { IconImport } from '@arco-design/web-react/icon'
import { api, getList } from '../api/client.ts'
import type { Price } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { SearchBox } from '../components/SearchBox.tsx'
import { ListPage, useList } from '../components/ListPage.tsx'
import { PriceCreateModal } from './prices/PriceCreateModal.tsx'
import { usePriceColumns } from './prices/price-columns.tsx'

export default function Prices() {
  const { t } = useI18n()
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const [open, setOpen] = useState(false)
  const [importing, setImporting] = useState(false)
  const [importOpen, setImportOpen] = useState(false)
  const [overwrite, setOverwrite] = useState(false)
  const list = useList(
    (p) =>
      getList<Price>('/admin/prices', { page: p.page, page_size: p.pageSize, model: search || undefined }),
    { filters: search, paged: true },
  )
  const columns = usePriceColumns('/admin/prices', list)

  const importCatalogue = async () => {
    setImporting(true)
    const done = await list.run(async () => {
      const res = await api.post<{ created?: number; updated?: number; skipped?: number }>(
        '/admin/prices/import-catalogue',
        { overwrite },
      )
      const d = res.data ?? {}
      Message.success(
        t('prices.imported', {
          created: d.created ?? 0,
          updated: d.updated ?? 0,
          skipped: d.skipped ?? 0,
        }),
      )
    })
    setImporting(false)
    if (done) setImportOpen(false)
  }

  return (
    <ListPage<Price>
      title={t('prices.title')}
      testId="prices"
      list={list}
      columns={columns}
      rowKey="id"
      scrollX={760}
      empty={t('prices.empty')}
      header={
        <div className="muted" style={{ marginBottom: 8, fontSize: 12 }}>
          {t('prices.help')}
        </div>
      }
      toolbar={
        <>
          <SearchBox placeholder={t('prices.search')} value={q} onChange={setQ} onSearch={setSearch} />
          <Button icon={<IconImport />} onClick={() => setImportOpen(true)} data-testid="price-import">
            {t('prices.import')}
          </Button>
        </>
      }
      create={{ label: t('prices.create'), testId: 'price-create', onClick: () => setOpen(true) }}
    >
      <Modal
        title={t('prices.import')}
        visible={importOpen}
        onOk={() => void importCatalogue()}
        onCancel={() => setImportOpen(false)}
        confirmLoading={importing}
        okText={t('prices.importRun')}
        cancelText={t('common.cancel')}
      >
        <p style={{ marginTop: 0 }}>{t('prices.importConfirm')}</p>
        <Checkbox checked={overwrite} onChange={setOverwrite} data-testid="price-import-overwrite">
          {t('prices.importOverwrite')}
        </Checkbox>
      </Modal>
      <PriceCreateModal
        visible={open}
        onClose={() => setOpen(false)}
        onSaved={() => {
          setOpen(false)
          Message.success(t('common.saved'))
          void list.reload()
        }}
      />
    </ListPage>
  )
}
