import { Form, Input, InputNumber } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import { issueKeyBody } from '../../api/contracts.ts'
import type { ApiKey } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { defined, validateBody } from '../../components/validate.ts'
import { FormModal } from '../../components/FormModal.tsx'

interface Values {
  username?: string
  name?: string
  quota_usd?: number
}

/** An administrator creates a key for a user; `onIssued` gets the server's key row with its one-time `key`. */
export function IssueKeyModal(props: {
  visible: boolean
  onClose: () => void
  onIssued: (t: ApiKey) => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const submit = async () => {
    const v = form.getFieldsValue()
    const body = validateBody(
      issueKeyBody,
      defined({
        username: (v.username ?? '').trim(),
        name: (v.name ?? '').trim(),
        quota_usd: typeof v.quota_usd === 'number' && v.quota_usd > 0 ? v.quota_usd : undefined,
      }),
      form,
    )
    if (!body) return
    const res = await api.post<ApiKey>('/admin/tokens', body)
    props.onIssued(res.data)
  }
  return (
    <FormModal
      form={form}
      title={t('allKeys.issueTitle')}
      visible={props.visible}
      onSubmit={submit}
      onClose={props.onClose}
      okText={t('common.create')}
      testId="issue-key"
    >
      <Form.Item label={t('common.username')} field="username" required>
        <Input autoComplete="off" data-testid="issue-key-username" />
      </Form.Item>
      <Form.Item label={t('keys.name')} field="name" required>
        <Input maxLength={200} data-testid="issue-key-name" />
      </Form.Item>
      <Form.Item label={t('keys.quota')} field="quota_usd" extra={t('keys.quotaHelp')}>
        <InputNumber min={0} precision={4} prefix="$" placeholder={t('common.unlimited')} />
      </Form.Item>
    </FormModal>
  )
}
