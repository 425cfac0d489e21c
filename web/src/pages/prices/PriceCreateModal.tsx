import { useEffect, useState } from 'react'
import { Alert, Form, Input, InputNumber, Modal, Radio } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import { groupPriceBody, priceBody } from '../../api/contracts.ts'
import type { PriceUnit } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { useAction } from '../../components/useAction.ts'
import { defined, firstIssue } from '../../components/validate.ts'

interface Values {
  model_name?: string
  input_token?: number
  output_token?: number
  cache_read_token?: number
  cache_write_token?: number
  cache_write_1h_token?: number
  request?: number
  web_search_call?: number
  above_input_tokens?: number
  vendor?: string
  context_length?: number
}

const tokenUnits: PriceUnit[] = [
  'input_token',
  'output_token',
  'cache_read_token',
  'cache_write_token',
  'cache_write_1h_token',
]
const callUnits: PriceUnit[] = ['request', 'web_search_call']

/** Create prices for a model: token mode makes one row per filled-in unit; request mode a per-call price. */
export function PriceCreateModal(props: {
  visible: boolean
  groupId?: string
  onClose: () => void
  onSaved: () => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const [mode, setMode] = useState<'token' | 'request'>('token')
  const { busy, error, setError, run } = useAction()

  useEffect(() => {
    if (props.visible) {
      form.resetFields()
      setError(null)
      setMode('token')
    }
  }, [props.visible, form, setError])

  const submit = async () => {
    setError(null)
    const v = form.getFieldsValue()
    const model = (v.model_name ?? '').trim()
    if (!model) {
      form.setFields({ model_name: { value: v.model_name, error: { message: t('v.required') } } })
      return
    }
    const units = mode === 'token' ? tokenUnits : callUnits
    if (mode === 'token' && (v.input_token === undefined || v.output_token === undefined)) {
      setError(t('prices.needInOut'))
      return
    }
    const rows = units
      .filter((u) => typeof v[u as keyof Values] === 'number')
      .map((u) =>
        defined({
          ...(props.groupId ? { group_id: props.groupId } : {}),
          model_name: model,
          unit: u,
          price_per_unit: v[u as keyof Values] as number,
          above_input_tokens: mode === 'token' ? v.above_input_tokens : undefined,
          vendor: v.vendor?.trim() || undefined,
          context_length: v.context_length,
        }),
      )
    if (rows.length === 0) {
      setError(t('prices.needOne'))
      return
    }
    const schema = props.groupId ? groupPriceBody : priceBody
    for (const r of rows) {
      const problem = firstIssue(schema, r)
      if (problem) return setError(problem)
    }
    await run(async () => {
      for (const r of rows) await api.post(props.groupId ? '/admin/group-prices' : '/admin/prices', r)
      props.onSaved()
    })
  }

  const priceItem = (unit: PriceUnit, required = false) => (
    <Form.Item key={unit} label={t(`unit.${unit}`)} field={unit} required={required}>
      {/* No min: a clamped −5 would be saved as $0 without a word; the schema refuses it instead. */}
      <InputNumber
        precision={6}
        prefix="$"
        placeholder={required ? undefined : t('common.optional')}
        data-testid={`price-${unit}`}
      />
    </Form.Item>
  )

  return (
    <Modal
      title={props.groupId ? t('prices.addGroupPrice') : t('prices.create')}
      visible={props.visible}
      onOk={() => void submit()}
      onCancel={props.onClose}
      confirmLoading={busy}
      okText={t('common.create')}
      cancelText={t('common.cancel')}
      unmountOnExit
      data-testid="price-create-modal"
    >
      {error ? (
        <Alert type="error" content={error} style={{ marginBottom: 12 }} data-testid="price-form-error" />
      ) : null}
      <Radio.Group
        type="button"
        value={mode}
        onChange={(v: 'token' | 'request') => setMode(v)}
        style={{ marginBottom: 12 }}
      >
        <Radio value="token">{t('prices.tokenMode')}</Radio>
        <Radio value="request">{t('prices.requestMode')}</Radio>
      </Radio.Group>
      <Form form={form} layout="vertical">
        <Form.Item label={t('common.model')} field="model_name" required extra={t('prices.modelHelp')}>
          <Input placeholder="gpt-4o, claude-*" data-testid="price-model" />
        </Form.Item>
        {mode === 'token' ? (
          <>
            <div className="grid-2" style={{ gap: 12 }}>
              {priceItem('input_token', true)}
              {priceItem('output_token', true)}
              {priceItem('cache_read_token')}
              {priceItem('cache_write_token')}
            </div>
            {priceItem('cache_write_1h_token')}
            <Form.Item
              label={t('prices.aboveInput')}
              field="above_input_tokens"
              extra={t('prices.aboveInputHelp')}
            >
              <InputNumber min={0} precision={0} placeholder={t('common.optional')} />
            </Form.Item>
          </>
        ) : (
          <div className="grid-2" style={{ gap: 12 }}>
            {priceItem('request')}
            {priceItem('web_search_call')}
          </div>
        )}
        <div className="grid-2" style={{ gap: 12 }}>
          <Form.Item label={t('prices.vendor')} field="vendor">
            <Input placeholder={t('common.optional')} />
          </Form.Item>
          <Form.Item label={t('prices.contextLength')} field="context_length">
            <InputNumber min={0} precision={0} placeholder={t('common.optional')} />
          </Form.Item>
        </div>
      </Form>
    </Modal>
  )
}
