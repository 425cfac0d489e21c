import { useCallback, useEffect, useState } from 'react'
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Form,
  InputNumber,
  Message,
  Modal,
  Popconfirm,
  Radio,
  Table,
  Tag,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconDelete, IconPlus, IconRefresh } from '@arco-design/web-react/icon'
import { api, errorMessage, getList } from '../api/client.ts'
import { createVoucherBody, MAX_VOUCHER_BATCH } from '../api/contracts.ts'
import type { Voucher } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { dateOnly, dateTime, usdFixed } from '../lib/format.ts'
import { CopyButton } from '../components/CopyButton.tsx'
import { defined, validateBody } from '../components/validate.ts'

interface Values {
  amount_usd?: number
  count?: number
  expires_at?: string
}

export default function Vouchers() {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const [rows, setRows] = useState<Voucher[]>([])
  const [total, setTotal] = useState(0)
  const [page, setPage] = useState(1)
  const [pageSize, setPageSize] = useState(20)
  const [used, setUsed] = useState<'all' | 'true' | 'false'>('all')
  const [loading, setLoading] = useState(false)
  const [open, setOpen] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [generated, setGenerated] = useState<Voucher[] | null>(null)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      const r = await getList<Voucher>('/admin/vouchers', {
        page,
        page_size: pageSize,
        used: used === 'all' ? undefined : used,
      })
      setRows(r.data)
      setTotal(r.total)
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [page, pageSize, used])

  useEffect(() => {
    void load()
  }, [load])

  const generate = async () => {
    setError(null)
    const v = form.getFieldsValue()
    const body = validateBody(
      createVoucherBody,
      defined({ amount_usd: v.amount_usd, count: v.count ?? 1, expires_at: v.expires_at || undefined }),
      form,
    )
    if (!body) return
    setBusy(true)
    try {
      const res = await api.post<Voucher | { count: number; vouchers: Voucher[] }>('/admin/vouchers', body)
      const list = 'vouchers' in res.data ? res.data.vouchers : [res.data]
      setOpen(false)
      setGenerated(list)
      Message.success(
        list.length === 1
          ? t('vouchers.generatedOne', { code: list[0].code })
          : t('vouchers.generated', { count: list.length }),
      )
      await load()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const isUsed = (v: Voucher) => v.used ?? v.used_by !== null
  const columns: TableColumnProps<Voucher>[] = [
    {
      title: t('vouchers.code'),
      dataIndex: 'code',
      render: (v: string) => (
        <span className="mono nowrap">
          {v}
          <CopyButton text={v} />
        </span>
      ),
    },
    { title: t('vouchers.amount'), dataIndex: 'amount_usd', render: (v: number) => usdFixed(v) },
    {
      title: t('vouchers.expires'),
      dataIndex: 'expires_at',
      render: (v: string | null) => (v ? dateOnly(v) : <span className="muted">{t('keys.never')}</span>),
    },
    {
      title: t('common.status'),
      dataIndex: 'used',
      render: (_: unknown, r) =>
        isUsed(r) ? <Tag>{t('vouchers.used')}</Tag> : <Tag color="green">{t('vouchers.unused')}</Tag>,
    },
    {
      title: t('vouchers.usedBy'),
      dataIndex: 'used_by',
      render: (v: string | null, r) =>
        v ? (
          <span>
            {v}
            <div className="muted" style={{ fontSize: 11 }}>
              {dateTime(r.used_at)}
            </div>
          </span>
        ) : (
          '-'
        ),
    },
    { title: t('vouchers.createdBy'), dataIndex: 'created_by', render: (v: string | null) => v ?? '-' },
    {
      title: t('common.createdAt'),
      dataIndex: 'created_at',
      render: (v: string) => <span className="nowrap">{dateTime(v)}</span>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_: unknown, r) =>
        isUsed(r) ? null : (
          <Popconfirm
            title={t('vouchers.deleteConfirm')}
            onOk={async () => {
              try {
                await api.delete(`/admin/vouchers/${r.id}`)
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
              aria-label={t('common.delete')}
            />
          </Popconfirm>
        ),
    },
  ]

  return (
    <div className="page" data-testid="page-vouchers">
      <div className="page-head">
        <h2>{t('vouchers.title')}</h2>
        <div className="toolbar">
          <Radio.Group
            type="button"
            value={used}
            onChange={(v: 'all' | 'true' | 'false') => {
              setPage(1)
              setUsed(v)
            }}
          >
            <Radio value="all">{t('vouchers.all')}</Radio>
            <Radio value="false">{t('vouchers.unused')}</Radio>
            <Radio value="true">{t('vouchers.used')}</Radio>
          </Radio.Group>
          <Button icon={<IconRefresh />} onClick={() => void load()} aria-label={t('common.refresh')} />
          <Button
            type="primary"
            icon={<IconPlus />}
            onClick={() => {
              form.resetFields()
              form.setFieldsValue({ count: 1 })
              setError(null)
              setOpen(true)
            }}
            data-testid="voucher-generate"
          >
            {t('vouchers.generate')}
          </Button>
        </div>
      </div>
      <Card>
        <Table<Voucher>
          rowKey="id"
          loading={loading}
          columns={columns}
          data={rows}
          scroll={{ x: 1000 }}
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
          data-testid="vouchers-table"
        />
      </Card>
      <Modal
        title={t('vouchers.generate')}
        visible={open}
        onOk={() => void generate()}
        onCancel={() => setOpen(false)}
        confirmLoading={busy}
        okText={t('vouchers.generate')}
        cancelText={t('common.cancel')}
        data-testid="voucher-modal"
      >
        {error ? <Alert type="error" content={error} style={{ marginBottom: 12 }} /> : null}
        <Form form={form} layout="vertical">
          <Form.Item label={t('vouchers.amount')} field="amount_usd" required>
            <InputNumber min={0.01} precision={2} prefix="$" data-testid="voucher-amount" />
          </Form.Item>
          <Form.Item
            label={t('vouchers.count')}
            field="count"
            extra={t('vouchers.countHelp', { max: MAX_VOUCHER_BATCH })}
          >
            <InputNumber min={1} max={MAX_VOUCHER_BATCH} precision={0} data-testid="voucher-count" />
          </Form.Item>
          <Form.Item label={t('vouchers.expires')} field="expires_at" extra={t('vouchers.expiresHelp')}>
            <DatePicker style={{ width: '100%' }} placeholder={t('keys.never')} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        title={t('vouchers.generatedTitle', { count: generated?.length ?? 0 })}
        visible={generated !== null}
        onCancel={() => setGenerated(null)}
        footer={
          <>
            <CopyButton
              text={(generated ?? []).map((v) => v.code).join('\n')}
              type="outline"
              size="default"
              label={t('vouchers.copyAll')}
              testId="voucher-copy-all"
            />
            <Button type="primary" onClick={() => setGenerated(null)}>
              {t('common.close')}
            </Button>
          </>
        }
      >
        <pre
          className="mono"
          style={{
            maxHeight: 320,
            overflow: 'auto',
            background: 'var(--color-fill-2)',
            padding: 10,
            borderRadius: 6,
            margin: 0,
          }}
          data-testid="voucher-codes"
        >
          {(generated ?? []).map((v) => v.code).join('\n')}
        </pre>
      </Modal>
    </div>
  )
}
