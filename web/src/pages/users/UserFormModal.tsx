import { useState } from 'react'
import { Checkbox, Form, Input, InputNumber, Select } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import { createUserBody, updateUserBody } from '../../api/contracts.ts'
import type { Role, User } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { defined, validateBody } from '../../components/validate.ts'
import { FormModal } from '../../components/FormModal.tsx'

interface Values {
  username?: string
  password?: string
  display_name?: string
  quota_usd?: number
  unlimited?: boolean
  role?: Role
}

/** Create a local user, or edit balance / unlimited / display name / password of any user. */
export function UserFormModal(props: {
  visible: boolean
  editing: User | null
  superadmin: boolean
  onClose: () => void
  onSaved: () => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const [unlimited, setUnlimited] = useState(false)
  const { visible, editing } = props

  const onOpen = () => {
    if (editing) {
      form.setFieldsValue({
        username: editing.username,
        display_name: editing.display_name ?? undefined,
        quota_usd: editing.quota_usd ?? undefined,
        unlimited: editing.quota_usd === null,
      })
      setUnlimited(editing.quota_usd === null)
    } else {
      form.setFieldsValue({ role: 'user', quota_usd: 0, unlimited: false })
      setUnlimited(false)
    }
  }

  const submit = async () => {
    const v = form.getFieldsValue()
    const quota = unlimited ? null : (v.quota_usd ?? 0)
    if (editing) {
      const body = validateBody(
        updateUserBody,
        defined({
          display_name: v.display_name?.trim() ? v.display_name.trim() : null,
          quota_usd: quota,
          password: v.password ? v.password : undefined,
        }),
        form,
      )
      if (!body) return
      await api.patch(`/admin/users/${encodeURIComponent(editing.username)}`, body)
    } else {
      const body = validateBody(
        createUserBody,
        defined({
          username: (v.username ?? '').trim(),
          password: v.password ?? '',
          display_name: v.display_name?.trim() || undefined,
          quota_usd: quota,
          role: v.role ?? 'user',
        }),
        form,
      )
      if (!body) return
      await api.post('/admin/users', body)
    }
    props.onSaved()
  }

  const local = !editing || editing.auth_source === 'local'
  return (
    <FormModal
      form={form}
      title={editing ? t('users.editTitle', { name: editing.username }) : t('users.createTitle')}
      visible={visible}
      onOpen={onOpen}
      openKey={editing}
      onSubmit={submit}
      onClose={props.onClose}
      testId="user-form"
    >
      <Form.Item label={t('common.username')} field="username" required={!editing}>
        <Input disabled={!!editing} autoComplete="off" data-testid="user-username" />
      </Form.Item>
      {local ? (
        <Form.Item
          label={editing ? t('users.resetPassword') : t('login.password')}
          field="password"
          required={!editing}
          extra={t('users.passwordHelp')}
        >
          <Input.Password
            autoComplete="new-password"
            placeholder={editing ? t('users.passwordUnchanged') : undefined}
            data-testid="user-password"
          />
        </Form.Item>
      ) : null}
      <Form.Item label={t('users.displayName')} field="display_name">
        <Input />
      </Form.Item>
      <Form.Item label={t('users.balance')} extra={t('users.balanceHelp')}>
        <div className="toolbar" style={{ flexWrap: 'nowrap' }}>
          <Form.Item field="quota_usd" noStyle>
            <InputNumber min={0} precision={4} prefix="$" disabled={unlimited} data-testid="user-quota" />
          </Form.Item>
          <Checkbox checked={unlimited} onChange={setUnlimited} data-testid="user-unlimited">
            {t('common.unlimited')}
          </Checkbox>
        </div>
      </Form.Item>
      {!editing ? (
        <Form.Item
          label={t('users.role')}
          field="role"
          extra={props.superadmin ? undefined : t('users.roleSuperOnly')}
        >
          <Select
            disabled={!props.superadmin}
            options={(['user', 'admin', 'superadmin'] as const).map((r) => ({
              label: t(`role.${r}`),
              value: r,
            }))}
          />
        </Form.Item>
      ) : null}
    </FormModal>
  )
}
