import { useEffect, useState } from 'react'
import { Alert, Checkbox, Form, Input, InputNumber, Modal, Select } from '@arco-design/web-react'
import { api, errorMessage } from '../../api/client.ts'
import { createUserBody, updateUserBody } from '../../api/contracts.ts'
import type { Role, User } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { defined, validateBody } from '../../components/validate.ts'

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
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [unlimited, setUnlimited] = useState(false)
  const { visible, editing } = props

  useEffect(() => {
    if (!visible) return
    setError(null)
    form.resetFields()
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
  }, [visible, editing, form])

  const submit = async () => {
    setError(null)
    const v = form.getFieldsValue()
    const quota = unlimited ? null : (v.quota_usd ?? 0)
    setBusy(true)
    try {
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
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const local = !editing || editing.auth_source === 'local'
  return (
    <Modal
      title={editing ? t('users.editTitle', { name: editing.username }) : t('users.createTitle')}
      visible={visible}
      onOk={() => void submit()}
      onCancel={props.onClose}
      confirmLoading={busy}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      unmountOnExit
      data-testid="user-form-modal"
    >
      {error ? (
        <Alert type="error" content={error} style={{ marginBottom: 12 }} data-testid="user-form-error" />
      ) : null}
      <Form form={form} layout="vertical">
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
      </Form>
    </Modal>
  )
}
