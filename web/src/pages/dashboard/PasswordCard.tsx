import { useEffect, useState } from 'react'
import { Button, Card, Form, Input, Message } from '@arco-design/web-react'
import { AxiosError } from 'axios'
import { api } from '../../api/client.ts'
import { changePasswordBody } from '../../api/contracts.ts'
import { readApiError } from '../../api/read-api-error.ts'
import type { Me } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { validateBody } from '../../components/validate.ts'
import { FormModal } from '../../components/FormModal.tsx'
import { BalanceHistory } from '../users/BalanceHistory.tsx'

interface Values {
  current_password?: string
  new_password?: string
  confirm?: string
}

/** The caller's own balance history and, for a local account, the password change (LDAP: the directory's). */
export function AccountSecurityCard() {
  const { t } = useI18n()
  const [local, setLocal] = useState(false)
  const [open, setOpen] = useState(false)
  const [form] = Form.useForm<Values>()

  useEffect(() => {
    void api
      .get<Me>('/auth/me')
      .then((r) => setLocal(r.data.auth_source === 'local'))
      .catch(() => setLocal(false))
  }, [])

  const submit = async () => {
    const v = form.getFieldsValue()
    const body = validateBody(
      changePasswordBody,
      { current_password: v.current_password ?? '', new_password: v.new_password ?? '' },
      form,
    )
    if (!body) return false
    if (v.confirm !== body.new_password) {
      form.setFields({ confirm: { value: v.confirm, error: { message: t('account.passwordMismatch') } } })
      return false
    }
    try {
      await api.post('/user/password', body)
    } catch (e) {
      // A wrong current password is the form's field error, in the page's language.
      const refusal = e instanceof AxiosError ? readApiError(e.response?.data) : undefined
      if (refusal?.message.startsWith('current_password')) {
        form.setFields({
          current_password: { value: v.current_password, error: { message: t('account.wrongPassword') } },
        })
        return false
      }
      throw e
    }
    setOpen(false)
    Message.success(t('account.passwordChanged'))
  }

  return (
    <Card
      title={t('account.history')}
      data-testid="account-card"
      extra={
        local ? (
          <Button size="small" onClick={() => setOpen(true)} data-testid="password-change-open">
            {t('account.changePassword')}
          </Button>
        ) : null
      }
    >
      <BalanceHistory url="/user/balance-history" testId="my-balance-history" />
      <FormModal
        form={form}
        title={t('account.changePassword')}
        visible={open}
        onSubmit={submit}
        onClose={() => setOpen(false)}
        testId="password-change"
      >
        <Form.Item label={t('account.currentPassword')} field="current_password" required>
          <Input.Password autoComplete="current-password" data-testid="password-current" />
        </Form.Item>
        <Form.Item
          label={t('account.newPassword')}
          field="new_password"
          required
          extra={t('account.passwordHelp')}
        >
          <Input.Password autoComplete="new-password" data-testid="password-new" />
        </Form.Item>
        <Form.Item label={t('account.confirmPassword')} field="confirm" required>
          <Input.Password autoComplete="new-password" data-testid="password-confirm" />
        </Form.Item>
      </FormModal>
    </Card>
  )
}
