import { useEffect, useState } from 'react'
import { Alert, Form, Input, InputNumber, Modal, Switch } from '@arco-design/web-react'
import { api, errorMessage } from '../../api/client.ts'
import { createGroupBody, updateGroupBody } from '../../api/contracts.ts'
import type { Group } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { defined, validateBody } from '../../components/validate.ts'

interface Values {
  name?: string
  priority?: number
  multiplier?: number
  all_visible?: boolean
  description?: string
}

export function GroupFormModal(props: {
  visible: boolean
  editing: Group | null
  onClose: () => void
  onSaved: () => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const { visible, editing } = props

  useEffect(() => {
    if (!visible) return
    setError(null)
    form.resetFields()
    form.setFieldsValue(
      editing
        ? {
            name: editing.name,
            priority: editing.priority,
            multiplier: editing.multiplier,
            all_visible: editing.all_visible,
            description: editing.description ?? undefined,
          }
        : { priority: 1, multiplier: 1, all_visible: false },
    )
  }, [visible, editing, form])

  const submit = async () => {
    setError(null)
    const v = form.getFieldsValue()
    const common = {
      priority: v.priority,
      multiplier: v.multiplier,
      all_visible: v.all_visible ?? false,
      description: v.description?.trim() ? v.description.trim() : null,
    }
    setBusy(true)
    try {
      if (editing) {
        const body = validateBody(updateGroupBody, defined(common), form)
        if (!body) return
        await api.patch(`/admin/groups/${editing.id}`, body)
      } else {
        const body = validateBody(createGroupBody, defined({ name: (v.name ?? '').trim(), ...common }), form)
        if (!body) return
        await api.post('/admin/groups', body)
      }
      props.onSaved()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal
      title={editing ? t('groups.editTitle') : t('groups.createTitle')}
      visible={visible}
      onOk={() => void submit()}
      onCancel={props.onClose}
      confirmLoading={busy}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      unmountOnExit
      data-testid="group-form-modal"
    >
      {error ? (
        <Alert type="error" content={error} style={{ marginBottom: 12 }} data-testid="group-form-error" />
      ) : null}
      <Form form={form} layout="vertical">
        <Form.Item
          label={t('common.name')}
          field="name"
          required
          extra={editing ? t('groups.nameLocked') : undefined}
        >
          <Input disabled={!!editing} data-testid="group-name" />
        </Form.Item>
        <div className="grid-2" style={{ gap: 12 }}>
          <Form.Item label={t('groups.priority')} field="priority" extra={t('groups.priorityHelp')}>
            <InputNumber precision={0} />
          </Form.Item>
          <Form.Item label={t('groups.multiplier')} field="multiplier" extra={t('groups.multiplierHelp')}>
            <InputNumber min={0} step={0.1} precision={4} />
          </Form.Item>
        </div>
        <Form.Item
          label={t('groups.allVisible')}
          field="all_visible"
          triggerPropName="checked"
          extra={t('groups.allVisibleHelp')}
        >
          <Switch data-testid="group-all-visible" />
        </Form.Item>
        <Form.Item label={t('groups.description')} field="description">
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  )
}
