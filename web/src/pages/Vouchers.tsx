import { useState } from 'react'
import {
  Button,
  DatePicker,
  Form,
  InputNumber,
  Message,
  Modal,
  Popconfirm,
  Radio,
  Tag,
  type TableColumnProps,
} from '@arco-design/web-react'
import { api, getList } from '../api/client.ts'
import { createVoucherBody, MAX_VOUCHER_BATCH } from '../api/contracts.ts'
import type { Voucher } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { dateOnly, dateTime, usdFixed } from '../lib/format.ts'
import { CopyButton } from '../components/CopyButton.tsx'
import { defined, validateBody } from '../components/validate.ts'
import { FormModal } from '../components/FormModal.tsx'
import { DeleteButton, ListPage, timeColumn, useList } from '../components/ListPage.tsx'

interface Values {
  amount_usd?: number
  count?: number
  expires_at?: string
}

export default function Vouchers() {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const [used, setUsed] = useState<'all' | 'true' | 'false'>('all')
  const [open, setOpen] = useState(false)
  const [generated, setGenerated] = useState<Voucher[] | null>(null)
  const list = useList(
    (p) =>
      getList<Voucher>('/admin/vouchers', {
        page: p.page,
        page_size: p.pageSize,
        used: used === 'all' ? undefined : used,
      }),
    { filters: used, paged: true },
  )

  const generate = async () => {
    const v = form.getFieldsValue()
    const body = validateBody(
      createVoucherBody,
      defined({ amount_usd: v.amount_usd, count: v.count ?? 1, expires_at: v.expires_at || undefined }),
      form,
    )
    if (!body) return
    const res = await api.post<Voucher | { count: number; vouchers: Voucher[] }>('/admin/vouchers', body)
    const created = 'vouchers' in res.data ? res.data.vouchers : [res.data]
    setOpen(false)
    setGenerated(created)
    Message.success(
      created.length === 1
        ? t('vouchers.generatedOne', { code: created[0].code })
        : t('vouchers.generated', { count: created.length }),
    )
    await list.reload()
  }

  const isUsed = (voucher: Voucher) => voucher.used ?? voucher.used_by !== null
  const columns: TableColumnProps<Voucher>[] = [
    {
      title: t('vouchers.code'),
      dataIndex: 'code',
      width: 230,
      // The code may wrap but stays inside its cell with the copy button beside it (issue 19 defect 2: the
      // unbreakable code and its icon spilled over Amount).
      render: (v: string) => (
        <span style={{ display: 'inline-flex', alignItems: 'center', gap: 4, maxWidth: '100%' }}>
          <span className="mono" style={{ overflowWrap: 'anywhere', minWidth: 0 }}>
            {v}
          </span>
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
    timeColumn(t('common.createdAt'), 'created_at'),
  ]

  const remove = (ids: string[]) =>
    list.run(async () => {
      for (const id of ids) await api.delete(`/admin/vouchers/${id}`)
    }, t('common.deleted'))
  const actions = (r: Voucher) =>
    isUsed(r) ? null : (
      <DeleteButton
        title={t('vouchers.deleteConfirm')}
        onOk={() => remove([r.id])}
        testId={`voucher-delete-${r.id}`}
      />
    )

  return (
    <ListPage<Voucher>
      title={t('vouchers.title')}
      testId="vouchers"
      list={list}
      columns={columns}
      rowKey="id"
      actions={{ width: 90, render: actions }}
      bulk={(selected, clear) => (
        <Popconfirm
          title={t('vouchers.bulkDeleteConfirm', { count: selected.length })}
          onOk={() => remove(selected.map((v) => v.id)).then(clear)}
        >
          <Button size="small" status="danger" data-testid="vouchers-bulk-delete">
            {t('common.delete')}
          </Button>
        </Popconfirm>
      )}
      selectable={(v) => !isUsed(v)}
      scrollX={1150}
      toolbar={
        <Radio.Group type="button" value={used} onChange={(v: 'all' | 'true' | 'false') => setUsed(v)}>
          <Radio value="all">{t('vouchers.all')}</Radio>
          <Radio value="false">{t('vouchers.unused')}</Radio>
          <Radio value="true">{t('vouchers.used')}</Radio>
        </Radio.Group>
      }
      create={{
        label: t('vouchers.generate'),
        testId: 'voucher-generate',
        onClick: () => setOpen(true),
      }}
    >
      <FormModal
        form={form}
        title={t('vouchers.generate')}
        visible={open}
        onOpen={() => form.setFieldsValue({ count: 1 })}
        onSubmit={generate}
        onClose={() => setOpen(false)}
        okText={t('vouchers.generate')}
        testId="voucher"
      >
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
      </FormModal>
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
    </ListPage>
  )
}
