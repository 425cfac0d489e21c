import { Collapse, DatePicker, Form, Input, InputNumber, Select } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import { createKeyBody, updateKeyBody } from '../../api/contracts.ts'
import type { GroupRef, ApiKey } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { defined, validateBody } from '../../components/validate.ts'
import { FormModal } from '../../components/FormModal.tsx'
import { dateOnly } from '../../lib/format.ts'

interface Values {
  name?: string
  group_id?: string
  quota_usd?: number
  expires_at?: string
  allowed_models?: string[]
  rpm?: number
  tpm?: number
  max_concurrency?: number
}

/** Create or edit an API key. On create, `onDone` receives the server's key row (with its one-time `key`). */
export function KeyFormModal(props: {
  visible: boolean
  editing: ApiKey | null
  groups: GroupRef[]
  onClose: () => void
  onDone: (t: ApiKey) => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const { editing, visible } = props

  const onOpen = () => {
    if (editing)
      form.setFieldsValue({
        name: editing.name,
        group_id: editing.group_id ?? undefined,
        quota_usd: editing.quota_usd ?? undefined,
        expires_at: editing.expires_at ? dateOnly(editing.expires_at) : undefined,
        allowed_models: editing.allowed_models ?? undefined,
        rpm: editing.rpm ?? undefined,
        tpm: editing.tpm ?? undefined,
        max_concurrency: editing.max_concurrency ?? undefined,
      })
  }

  const submit = async () => {
    const v = form.getFieldsValue()
    const models = (v.allowed_models ?? []).map((m) => m.trim()).filter(Boolean)
    const fields = defined({
      name: (v.name ?? '').trim(),
      group_id: v.group_id ?? null,
      quota_usd: typeof v.quota_usd === 'number' && v.quota_usd > 0 ? v.quota_usd : null,
      expires_at: v.expires_at ? v.expires_at : null,
      allowed_models: models.length ? models : null,
      rpm: v.rpm ?? null,
      tpm: v.tpm ?? null,
      max_concurrency: v.max_concurrency ?? null,
    })
    const body = validateBody(editing ? updateKeyBody : createKeyBody, fields, form)
    if (!body) return
    const res = editing
      ? await api.patch<ApiKey>(`/user/tokens/${editing.id}`, body)
      : await api.post<ApiKey>('/user/tokens', body)
    props.onDone(res.data)
  }

  return (
    <FormModal
      form={form}
      title={editing ? t('keys.editTitle') : t('keys.createTitle')}
      visible={visible}
      onOpen={onOpen}
      openKey={editing}
      onSubmit={submit}
      onClose={props.onClose}
      okText={editing ? t('common.save') : t('common.create')}
      testId="key-form"
    >
      <Form.Item label={t('keys.name')} field="name" required>
        <Input placeholder={t('keys.namePlaceholder')} maxLength={200} data-testid="key-name" />
      </Form.Item>
      <Form.Item label={t('keys.group')} field="group_id" extra={t('keys.groupHelp')}>
        <Select
          allowClear
          placeholder={t('keys.noGroup')}
          options={props.groups.map((g) => ({ label: g.name, value: g.id }))}
          data-testid="key-group"
        />
      </Form.Item>
      <Form.Item label={t('keys.quota')} field="quota_usd" extra={t('keys.quotaHelp')}>
        <InputNumber
          min={0}
          step={1}
          precision={4}
          prefix="$"
          placeholder={t('common.unlimited')}
          data-testid="key-quota"
        />
      </Form.Item>
      <Form.Item label={t('keys.expiresAt')} field="expires_at" extra={t('keys.expiresHelp')}>
        <DatePicker
          style={{ width: '100%' }}
          placeholder={t('keys.never')}
          disabledDate={(d) => d.isBefore(new Date(), 'day')}
        />
      </Form.Item>
      <Collapse bordered={false} style={{ marginTop: -8 }}>
        <Collapse.Item name="adv" header={t('keys.advanced')}>
          <Form.Item
            label={t('keys.allowedModels')}
            field="allowed_models"
            extra={t('keys.allowedModelsHelp')}
          >
            <Select mode="multiple" allowCreate allowClear placeholder={t('keys.allModels')} />
          </Form.Item>
          <div className="grid-2" style={{ gap: 8 }}>
            <Form.Item label={t('keys.rpm')} field="rpm">
              <InputNumber min={1} precision={0} placeholder={t('common.unlimited')} />
            </Form.Item>
            <Form.Item label={t('keys.tpm')} field="tpm">
              <InputNumber min={1} precision={0} placeholder={t('common.unlimited')} />
            </Form.Item>
          </div>
          <Form.Item label={t('keys.concurrency')} field="max_concurrency">
            <InputNumber min={1} precision={0} placeholder={t('common.unlimited')} />
          </Form.Item>
        </Collapse.Item>
      </Collapse>
    </FormModal>
  )
}
