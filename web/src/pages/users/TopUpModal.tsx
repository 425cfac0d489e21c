import { Form, Input, InputNumber } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import { topUpBody } from '../../api/contracts.ts'
import { useI18n } from '../../i18n/index.ts'
import { defined, validateBody } from '../../components/validate.ts'
import { FormModal } from '../../components/FormModal.tsx'
import { usd } from '../../lib/format.ts'

interface Values {
  amount_usd?: number
  note?: string
}

/** Adds to a user's balance (never sets it) with a note kept in their balance history. */
export function TopUpModal(props: {
  username: string | null
  balance: number | null
  onClose: () => void
  onSaved: (amount: number) => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const { username } = props

  const submit = async () => {
    const v = form.getFieldsValue()
    const body = validateBody(
      topUpBody,
      defined({ amount_usd: v.amount_usd ?? 0, note: v.note?.trim() || undefined }),
      form,
    )
    if (!body || !username) return false
    await api.post(`/admin/users/${encodeURIComponent(username)}/top-up`, body)
    props.onSaved(body.amount_usd)
  }

  return (
    <FormModal
      form={form}
      title={t('users.topUpTitle', { name: username ?? '' })}
      visible={username !== null}
      openKey={username}
      onSubmit={submit}
      onClose={props.onClose}
      okText={t('users.topUp')}
      testId="top-up"
    >
      <div className="muted" style={{ marginBottom: 12 }}>
        {t('users.topUpCurrent', { amount: usd(props.balance) })}
      </div>
      <Form.Item label={t('users.topUpAmount')} field="amount_usd" required extra={t('users.topUpHelp')}>
        <InputNumber min={0} precision={4} prefix="$" data-testid="top-up-amount" />
      </Form.Item>
      <Form.Item label={t('balance.note')} field="note">
        <Input maxLength={500} data-testid="top-up-note" />
      </Form.Item>
    </FormModal>
  )
}
