import { Form, Input, InputNumber, Switch } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import { createGroupBody, updateGroupBody } from '../../api/contracts.ts'
import type { Group } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { defined, validateBody } from '../../components/validate.ts'
import { FormModal } from '../../components/FormModal.tsx'

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
  const { visible, editing } = props

  const onOpen = () =>
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

  const submit = async () => {
    const v = form.getFieldsValue()
    const fields = defined({
      name: (v.name ?? '').trim(),
      priority: v.priority,
      multiplier: v.multiplier,
      all_visible: v.all_visible ?? false,
      description: v.description?.trim() ? v.description.trim() : null,
    })
    const body = validateBody(editing ? updateGroupBody : createGroupBody, fields, form)
    if (!body) return
    if (editing) await api.patch(`/admin/groups/${editing.id}`, body)
    else await api.post('/admin/groups', body)
    props.onSaved()
  }

  return (
    <FormModal
      form={form}
      title={editing ? t('groups.editTitle') : t('groups.createTitle')}
      visible={visible}
      onOpen={onOpen}
      openKey={editing}
      onSubmit={submit}
      onClose={props.onClose}
      testId="group-form"
    >
      <Form.Item label={t('common.name')} field="name" required extra={t('groups.nameHelp')}>
        <Input data-testid="group-name" />
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
    </FormModal>
  )
}
