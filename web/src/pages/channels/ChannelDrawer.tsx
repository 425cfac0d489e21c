import { useEffect, useRef, useState } from 'react'
import {
  Alert,
  Button,
  Collapse,
  Drawer,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
} from '@arco-design/web-react'
import { NamesInput, withPending } from './NamesInput.tsx'
import { api } from '../../api/client.ts'
import { createChannelBody, updateChannelBody } from '../../api/contracts.ts'
import type { Channel, Provider } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { useAction } from '../../components/useAction.ts'
import { defined, validateBody } from '../../components/validate.ts'
import {
  PairsEditor,
  pairProblems,
  pairsToRecord,
  recordToPairs,
  type Pair,
} from '../../components/PairsEditor.tsx'
import { useIsMobile } from '../../components/useMedia.ts'
import { keyDestinationChanges } from './key-destination.ts'

export const baseUrlHint: Record<Provider, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com/v1',
  gemini: 'https://generativelanguage.googleapis.com/v1beta',
}

interface Values {
  name?: string
  provider?: Provider
  base_url?: string
  api_key?: string
  weight?: number
  enabled?: boolean
  /** OpenAI channels: the server has /v1/responses (docs/channels.md › Responses API). */
  responses_api?: boolean
  models?: string[]
  tags?: string[]
  proxy_url?: string
  connect_timeout_ms?: number
  first_byte_timeout_ms?: number
  idle_timeout_ms?: number
}

export function ChannelDrawer(props: {
  visible: boolean
  editing: Channel | null
  /** Create a new channel starting from this one's settings (its key is never sent back: it is asked again). */
  copyOf?: Channel | null
  onClose: () => void
  onSaved: () => void
}) {
  const { t } = useI18n()
  const [form] = Form.useForm<Values>()
  const mobile = useIsMobile()
  const [mapping, setMapping] = useState<Pair[]>([])
  const [headers, setHeaders] = useState<Pair[]>([])
  const [headersTouched, setHeadersTouched] = useState(false)
  const { busy, error, setError, run } = useAction()
  const [provider, setProvider] = useState<Provider>('openai')
  // Fields whose change would send the stored key elsewhere: the server then wants the key again.
  const [keyMoves, setKeyMoves] = useState<string[]>([])
  // Names typed but not yet committed with Enter: saved too, never dropped (issue 19 #5).
  const [pendingModel, setPendingModel] = useState('')
  const [pendingTag, setPendingTag] = useState('')
  const { editing, visible, copyOf } = props
  // The values the last Save checked: setting its errors echoes them as changes, which must not clear them.
  const checked = useRef<Partial<Values>>({})

  const recheckKeyMoves = (touched = headersTouched) => {
    if (!editing) return setKeyMoves([])
    const v = form.getFieldsValue()
    setKeyMoves(
      keyDestinationChanges(editing, {
        base_url: (v.base_url ?? '').trim(),
        proxy_url: v.proxy_url?.trim() ? v.proxy_url.trim() : null,
        headersTouched: touched,
      }),
    )
  }

  useEffect(() => {
    if (!visible) return
    setError(null)
    form.resetFields()
    setHeadersTouched(false)
    setHeaders([])
    setKeyMoves([])
    setPendingModel('')
    setPendingTag('')
    const from = editing ?? copyOf
    if (from) {
      setProvider(from.provider)
      form.setFieldsValue({
        name: editing ? from.name : t('channels.copyName', { name: from.name }),
        provider: from.provider,
        base_url: from.base_url,
        weight: from.weight,
        enabled: from.enabled,
        responses_api: from.responses_api ?? true,
        models: from.models,
        tags: from.tags ?? [],
        proxy_url: from.proxy_url ?? undefined,
        connect_timeout_ms: from.connect_timeout_ms ?? undefined,
        first_byte_timeout_ms: from.first_byte_timeout_ms ?? undefined,
        idle_timeout_ms: from.idle_timeout_ms ?? undefined,
      })
      setMapping(recordToPairs(from.model_mapping))
    } else {
      setProvider('openai')
      form.setFieldsValue({
        provider: 'openai',
        weight: 1,
        enabled: true,
        responses_api: true,
        base_url: baseUrlHint.openai,
      })
      setMapping([])
    }
  }, [visible, editing, copyOf, form, t, setError])

  const submit = async () => {
    setError(null)
    if (pairProblems(mapping).length || (headersTouched && pairProblems(headers).length)) {
      setError(t('channels.fixRows'))
      return
    }
    const v = form.getFieldsValue()
    checked.current = v
    const base = {
      name: (v.name ?? '').trim(),
      provider: v.provider,
      base_url: (v.base_url ?? '').trim().replace(/\/+$/, ''),
      weight: v.weight,
      enabled: v.enabled ?? true,
      // Only OpenAI channels have the switch; the others keep the default.
      responses_api: v.provider === 'openai' ? (v.responses_api ?? true) : undefined,
      models: withPending(v.models ?? [], pendingModel),
      tags: withPending(v.tags ?? [], pendingTag),
      model_mapping: pairsToRecord(mapping),
      proxy_url: v.proxy_url?.trim() ? v.proxy_url.trim() : null,
      connect_timeout_ms: v.connect_timeout_ms ?? null,
      first_byte_timeout_ms: v.first_byte_timeout_ms ?? null,
      idle_timeout_ms: v.idle_timeout_ms ?? null,
      extra_headers: !editing || headersTouched ? pairsToRecord(headers) : undefined,
    }
    const key = v.api_key?.trim()
    if (editing && !key && keyMoves.length > 0) {
      const message = t('channels.apiKeyNeeded')
      form.setFields({ api_key: { error: { message } } })
      setError(message)
      return
    }
    await run(async () => {
      if (editing) {
        const body = validateBody(updateChannelBody, defined({ ...base, api_key: key || undefined }), form)
        if (!body) return
        await api.patch(`/admin/channels/${editing.id}`, body)
      } else {
        const body = validateBody(createChannelBody, defined({ ...base, api_key: key ?? '' }), form)
        if (!body) return
        await api.post('/admin/channels', body)
      }
      props.onSaved()
    })
  }

  return (
    <Drawer
      width={mobile ? '100%' : 560}
      title={editing ? t('channels.editTitle') : copyOf ? t('channels.copyTitle') : t('channels.createTitle')}
      visible={visible}
      onCancel={props.onClose}
      unmountOnExit
      className="drawer-form"
      footer={
        <Space>
          <Button onClick={props.onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={busy} onClick={() => void submit()} data-testid="channel-save">
            {t('common.save')}
          </Button>
        </Space>
      }
    >
      {error ? (
        <Alert type="error" content={error} style={{ marginBottom: 12 }} data-testid="channel-form-error" />
      ) : null}
      <Form
        form={form}
        layout="vertical"
        onValuesChange={(changed: Partial<Values>) => {
          // A fixed field's old error no longer applies (Arco does not re-check errors set from the schema).
          const stale = (Object.keys(changed) as (keyof Values)[]).filter(
            (f) => form.getFieldError(f) && changed[f] !== checked.current[f],
          )
          if (stale.length) form.setFields(Object.fromEntries(stale.map((f) => [f, { error: undefined }])))
          recheckKeyMoves()
        }}
      >
        <Form.Item label={t('common.name')} field="name" required>
          <Input data-testid="channel-name" />
        </Form.Item>
        <Form.Item label={t('channels.provider')} field="provider" required>
          <Select
            data-testid="channel-provider"
            options={[
              { label: t('provider.openai'), value: 'openai' },
              { label: t('provider.anthropic'), value: 'anthropic' },
              { label: t('provider.gemini'), value: 'gemini' },
            ]}
            onChange={(p: Provider) => {
              const cur = form.getFieldValue('base_url')
              if (!cur || Object.values(baseUrlHint).includes(String(cur)))
                form.setFieldValue('base_url', baseUrlHint[p])
              setProvider(p)
            }}
          />
        </Form.Item>
        <Form.Item label={t('channels.baseUrl')} field="base_url" required extra={t('channels.baseUrlHelp')}>
          <Input placeholder={baseUrlHint[provider]} data-testid="channel-base-url" />
        </Form.Item>
        <Form.Item
          label={t('channels.apiKey')}
          field="api_key"
          required={!editing || keyMoves.length > 0}
          extra={
            editing
              ? keyMoves.length > 0
                ? t('channels.apiKeyNeeded')
                : t('channels.apiKeyKeep', { masked: editing.api_key ?? '' })
              : undefined
          }
        >
          <Input.Password
            placeholder={editing && keyMoves.length === 0 ? t('channels.apiKeyUnchanged') : 'sk-...'}
            data-testid="channel-api-key"
            autoComplete="new-password"
          />
        </Form.Item>
        <div className="grid-2" style={{ gap: 12 }}>
          <Form.Item label={t('channels.weight')} field="weight">
            {/* No min: a clamped −5 would be saved as 0 without a word; the schema refuses it instead. */}
            <InputNumber precision={0} data-testid="channel-weight" />
          </Form.Item>
          <Form.Item label={t('channels.enabled')} field="enabled" triggerPropName="checked">
            <Switch />
          </Form.Item>
        </div>
        {provider === 'openai' && (
          <Form.Item
            label={t('channels.responsesApi')}
            field="responses_api"
            triggerPropName="checked"
            extra={t('channels.responsesApiHelp')}
          >
            <Switch data-testid="channel-responses-api" />
          </Form.Item>
        )}
        <Form.Item label={t('channels.models')} field="models" extra={t('channels.modelsHelp')}>
          <NamesInput
            pending={pendingModel}
            onPendingChange={setPendingModel}
            placeholder={t('channels.modelsPlaceholder')}
            testId="channel-models"
          />
        </Form.Item>
        <Form.Item label={t('channels.tags')} field="tags">
          <NamesInput
            pending={pendingTag}
            onPendingChange={setPendingTag}
            placeholder={t('channels.tagsPlaceholder')}
            testId="channel-tags"
          />
        </Form.Item>
        <Form.Item label={t('channels.mapping')} extra={t('channels.mappingHelp')}>
          <PairsEditor
            value={mapping}
            onChange={setMapping}
            fromPlaceholder={t('channels.alias')}
            toPlaceholder={t('channels.upstreamModel')}
            addLabel={t('channels.addMapping')}
            testId="mapping-editor"
          />
        </Form.Item>
        <Collapse bordered={false}>
          <Collapse.Item name="adv" header={t('channels.advanced')}>
            <Form.Item
              label={t('channels.extraHeaders')}
              extra={
                editing?.extra_headers?.length && !headersTouched
                  ? t('channels.headersKeep', { names: editing.extra_headers.join(', ') })
                  : t('channels.headersHelp')
              }
            >
              <PairsEditor
                value={headers}
                onChange={(v) => {
                  setHeaders(v)
                  setHeadersTouched(true)
                  recheckKeyMoves(true)
                }}
                fromPlaceholder={t('channels.headerName')}
                toPlaceholder={t('channels.headerValue')}
                addLabel={t('channels.addHeader')}
                secretValues
              />
            </Form.Item>
            <Form.Item label={t('channels.proxyUrl')} field="proxy_url">
              <Input placeholder="http://proxy.internal:3128" allowClear />
            </Form.Item>
            <div className="grid-2" style={{ gap: 12 }}>
              <Form.Item label={t('channels.connectTimeout')} field="connect_timeout_ms">
                <InputNumber min={100} precision={0} suffix="ms" placeholder={t('chat.default')} />
              </Form.Item>
              <Form.Item label={t('channels.firstByteTimeout')} field="first_byte_timeout_ms">
                <InputNumber min={100} precision={0} suffix="ms" placeholder={t('chat.default')} />
              </Form.Item>
            </div>
            <Form.Item label={t('channels.idleTimeout')} field="idle_timeout_ms">
              <InputNumber min={100} precision={0} suffix="ms" placeholder={t('chat.default')} />
            </Form.Item>
          </Collapse.Item>
        </Collapse>
      </Form>
    </Drawer>
  )
}
