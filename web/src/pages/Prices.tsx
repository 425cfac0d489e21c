import { useCallback, useEffect, useState } from 'react'
import { Button, Card, Checkbox, Input, Message, Modal } from '@arco-design/web-react'
import { IconImport, IconPlus, IconRefresh, IconSearch } from '@arco-design/web-react/icon'
import { api, errorMessage, getList } from '../api/client.ts'
import type { Price } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { PriceCreateModal } from './prices/PriceCreateModal.tsx'
import { PriceTable } from './prices/PriceTable.tsx'

export default function Prices() {
  const { t } = useI18n()
  const [rows, setRows] = useState<Price[]>([])
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(50)
  const [q, setQ] = useState('')
  const [search, setSearch] = useState('')
  const [loading, setLoading] = useState(false)
  const [open, setOpen] = useState(false)
  const [importing, setImporting] = useState(false)
  const [importOpen, setImportOpen] = useState(false)
  const [overwrite, setOverwrite] = useState(false)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      const r = await getList<Price>('/admin/prices', {
        page,
        page_size: pageSize,
        model: search || undefined,
      })
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

  const importCatalogue = async () => {
    setImporting(true)
    try {
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
      setImportOpen(false)
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setImporting(false)
    }
  }

  return (
    <div className="page" data-testid="page-prices">
      <div className="page-head">
        <h2>{t('prices.title')}</h2>
        <div className="toolbar">
          <Input
            style={{ width: 200 }}
            prefix={<IconSearch />}
            placeholder={t('prices.search')}
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
          <Button icon={<IconImport />} onClick={() => setImportOpen(true)} data-testid="price-import">
            {t('prices.import')}
          </Button>
          <Button type="primary" icon={<IconPlus />} onClick={() => setOpen(true)} data-testid="price-create">
            {t('prices.create')}
          </Button>
        </div>
      </div>
      <Card>
        <div className="muted" style={{ marginBottom: 8, fontSize: 12 }}>
          {t('prices.help')}
        </div>
        <PriceTable
          rows={rows}
          loading={loading}
          endpoint="/admin/prices"
          onChanged={() => void load()}
          pagination={{
            current: page,
            pageSize,
            total,
            onChange: (p, s) => {
              setPage(p)
              setPageSize(s)
            },
          }}
        />
      </Card>
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
          void load()
        }}
      />
    </div>
  )
}
