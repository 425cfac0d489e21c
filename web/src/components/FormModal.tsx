/**
 * The shared form modal: an Arco Form in a Modal with the busy state, the server's error above the fields, and
 * field errors that go away as soon as the field is edited (issue 19 defect 5: a "Required" stayed after the
 * field was filled, because errors set from the server's schema are not re-validated by Arco).
 *
 * Usage:
 *
 *   const [form] = Form.useForm<Values>()
 *   <FormModal form={form} visible={open} title={…} testId="user-form"
 *     onOpen={() => form.setFieldsValue(editing ? {…} : {…})} openKey={editing}
 *     onSubmit={async () => { const body = validateBody(schema, …, form); if (!body) return false; await api.post(…); onSaved() }}
 *     onClose={…}>
 *     <Form.Item …/>
 *   </FormModal>
 *
 * `onSubmit` returns false to stay open without a message (field errors are on the form); a thrown error is shown
 * above the fields (data-testid `<testId>-error`). The modal carries data-testid `<testId>-modal`.
 */
import { useEffect, useRef, type ReactNode } from 'react'
import { Alert, Form, Modal, type FormInstance } from '@arco-design/web-react'
import { useI18n } from '../i18n/index.ts'
import { useAction } from './useAction.ts'

// Arco's typed FormInstance is invariant in its values type; the modal only resets and clears errors.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyForm = FormInstance<any, any, any>

export interface FormModalProps {
  form: AnyForm
  visible: boolean
  title: ReactNode
  testId: string
  onClose: () => void
  onSubmit: () => Promise<unknown>
  /** Called each time the modal opens, after the fields are reset (set the starting values here). */
  onOpen?: () => void
  /** Re-run `onOpen` when this changes while open (the row being edited). */
  openKey?: unknown
  okText?: ReactNode
  width?: number
  children: ReactNode
}

export function FormModal(props: FormModalProps) {
  const { t } = useI18n()
  const { form, visible, openKey } = props
  const { busy, error, setError, run } = useAction()
  const onOpen = useRef(props.onOpen)
  onOpen.current = props.onOpen

  useEffect(() => {
    if (!visible) return
    setError(null)
    form.resetFields()
    onOpen.current?.()
  }, [visible, openKey, form, setError])

  return (
    <Modal
      title={props.title}
      visible={visible}
      onOk={() => void run(props.onSubmit)}
      onCancel={props.onClose}
      confirmLoading={busy}
      okText={props.okText ?? t('common.save')}
      cancelText={t('common.cancel')}
      style={props.width ? { width: props.width, maxWidth: '100%' } : undefined}
      unmountOnExit
      data-testid={`${props.testId}-modal`}
    >
      {error ? (
        <Alert
          type="error"
          content={error}
          style={{ marginBottom: 12 }}
          data-testid={`${props.testId}-error`}
        />
      ) : null}
      <Form
        form={form}
        layout="vertical"
        // onChange (unlike onValuesChange) fires only for the user's edits, not for the errors validateBody sets.
        onChange={(changed: Record<string, unknown>) => {
          // An edited field's old error no longer applies; the next Save checks it again.
          const stale = Object.keys(changed).filter((f) => form.getFieldError(f))
          if (stale.length) form.setFields(Object.fromEntries(stale.map((f) => [f, { error: undefined }])))
        }}
      >
        {props.children}
      </Form>
    </Modal>
  )
}
