import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useSearchParams } from 'react-router'
import {
  Alert,
  Button,
  Card,
  Input,
  InputNumber,
  Message,
  Radio,
  Select,
  Spin,
  Tag,
} from '@arco-design/web-react'
import {
  IconCloseCircle,
  IconDelete,
  IconRecordStop,
  IconRefresh,
  IconSend,
} from '@arco-design/web-react/icon'
import { errorMessage, getAll } from '../api/client.ts'
import type { ApiKey } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { guessProtocol, snippet, type ChatProtocol, type SnippetLang } from '../lib/chat.ts'
import { errorFromBody } from '../lib/chat.ts'
import { keyFor, rememberKey, shareKeysAcrossTabs } from '../store/keys.ts'
import { isChatModel, maskedKey } from './chat/chat-models.ts'
import { Markdown } from '../components/Markdown.tsx'
import { Segmented } from '../components/Segmented.tsx'
import { CopyButton } from '../components/CopyButton.tsx'
import { useChatStream } from './chat/useChatStream.ts'

interface ModelEntry {
  id: string
  owned_by?: string
}

const PASTE = '__paste__'
const MODEL_KEY = 'playground-model'

export default function Chat() {
  const { t } = useI18n()
  const [params] = useSearchParams()
  const [keys, setKeys] = useState<ApiKey[]>([])
  const [keyId, setKeyId] = useState<string>(params.get('key') ?? '')
  const [pasted, setPasted] = useState('')
  const [models, setModels] = useState<ModelEntry[]>([])
  const [modelsLoading, setModelsLoading] = useState(false)
  const [modelsError, setModelsError] = useState<string | null>(null)
  // The last model is kept for the tab, so the playground still has one when the model list cannot load.
  const [model, setModel] = useState<string | undefined>(() => sessionStorage.getItem(MODEL_KEY) ?? undefined)
  useEffect(() => {
    if (model) sessionStorage.setItem(MODEL_KEY, model)
  }, [model])
  const [protocol, setProtocol] = useState<ChatProtocol>('openai')
  const [system, setSystem] = useState('')
  const [maxTokens, setMaxTokens] = useState<number | undefined>(undefined)
  const [temperature, setTemperature] = useState<number | undefined>(undefined)
  const [input, setInput] = useState('')
  const [lang, setLang] = useState<SnippetLang>('curl')
  const listRef = useRef<HTMLDivElement | null>(null)
  const onError = useCallback((m: string) => Message.error(m.length > 120 ? `${m.slice(0, 120)}…` : m), [])
  const { messages, streaming, send, stop, clear } = useChatStream(onError)
  // Bumped when another open tab hands over the keys it holds (store/keys.ts).
  const [, setKeysVersion] = useState(0)
  useEffect(() => shareKeysAcrossTabs(() => setKeysVersion((v) => v + 1)), [])

  useEffect(() => {
    getAll<ApiKey>('/user/tokens')
      .then((list) => {
        setKeys(list)
        setKeyId(
          (cur) =>
            cur || list.find((k) => !k.frozen && keyFor(k.id))?.id || (list.length ? list[0].id : PASTE),
        )
      })
      .catch((e: unknown) => Message.error(errorMessage(e)))
  }, [])

  const remembered = keyId && keyId !== PASTE ? keyFor(keyId) : undefined
  const apiKey = (remembered ?? pasted).trim()
  const selectedKey = keys.find((k) => k.id === keyId)

  const loadModels = useCallback(async (key: string) => {
    if (!key) return
    setModelsLoading(true)
    setModelsError(null)
    try {
      const res = await fetch('/v1/models', { headers: { Authorization: `Bearer ${key}` } })
      const text = await res.text()
      if (!res.ok) throw new Error(errorFromBody(text, res.status))
      const body = JSON.parse(text) as { data?: ModelEntry[] }
      const list = (body.data ?? []).filter((m) => typeof m.id === 'string' && isChatModel(m.id))
      setModels(list)
      setModel((cur) => (cur && list.some((m) => m.id === cur) ? cur : list[0]?.id))
    } catch (e) {
      setModels([])
      setModelsError(e instanceof Error ? e.message : String(e))
    } finally {
      setModelsLoading(false)
    }
  }, [])

  useEffect(() => {
    if (apiKey.startsWith('sk-') && apiKey.length > 10) void loadModels(apiKey)
  }, [apiKey, loadModels])

  useEffect(() => {
    // A pasted key the server accepted (its models loaded) is kept for the session, for this and the other tabs.
    const key = pasted.trim()
    // The list shows a key as its start and end ("sk-AbCd…WxYz"): the pasted key must match both.
    const [start, end = ''] = selectedKey?.key_prefix.split('…') ?? []
    if (models.length && key && selectedKey && !remembered && key.startsWith(start) && key.endsWith(end))
      rememberKey({ id: selectedKey.id, name: selectedKey.name, key })
  }, [models, pasted, selectedKey, remembered])

  useEffect(() => {
    if (!model) return
    setProtocol(guessProtocol(models.find((m) => m.id === model)?.owned_by, model))
  }, [model, models])

  useEffect(() => {
    // Scroll the message list only (scrollIntoView would also scroll the page on phones).
    const el = listRef.current
    if (el) el.scrollTop = el.scrollHeight
  }, [messages])

  const canSend = !!apiKey && !!model && !streaming
  const submit = () => {
    const text = input.trim()
    if (!text) return
    if (!apiKey) return void Message.warning(t('chat.needKey'))
    if (!model) return void Message.warning(t('chat.needModel'))
    if (streaming) return
    if (pasted && keyId !== PASTE && selectedKey && !remembered)
      rememberKey({ id: selectedKey.id, name: selectedKey.name, key: pasted.trim() })
    setInput('')
    void send(text, { protocol, apiKey, model, system: system.trim() || undefined, maxTokens, temperature })
  }

  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? ''
  const code = useMemo(
    () =>
      snippet(
        lang,
        protocol,
        window.location.origin,
        // Shown on screen and copied by hand: never the secret itself.
        apiKey ? maskedKey(apiKey) : '',
        model ?? '',
        lastUser || t('chat.samplePrompt'),
      ),
    [lang, protocol, apiKey, model, lastUser, t],
  )
  const ownedBy = model ? models.find((m) => m.id === model)?.owned_by : undefined

  return (
    <div className="page" data-testid="page-chat">
      <div className="chat-wrap">
        <div className="chat-main">
          <div className="chat-messages" data-testid="chat-messages" ref={listRef}>
            {messages.length === 0 ? (
              <div className="chat-empty">
                <h3 style={{ margin: '0 0 4px' }}>{t('chat.title')}</h3>
                <div>{t('chat.emptyHint')}</div>
              </div>
            ) : (
              messages.map((m, i) =>
                m.role === 'user' ? (
                  <div key={i} className="bubble user" data-testid="chat-user">
                    {m.content}
                  </div>
                ) : (
                  <div
                    key={i}
                    className={`bubble assistant ${m.error ? 'error' : ''}`}
                    data-testid="chat-assistant"
                  >
                    {m.reasoning ? <div className="reasoning">{m.reasoning}</div> : null}
                    {m.content ? <Markdown text={m.content} /> : null}
                    {m.pending && !m.content ? <Spin size={14} /> : null}
                    {m.error ? (
                      <div data-testid="chat-error">
                        <IconCloseCircle /> {t('chat.failed')}: {m.error}
                      </div>
                    ) : null}
                    {m.stopped ? (
                      <Tag size="small" style={{ marginTop: 6 }}>
                        {t('chat.stopped')}
                      </Tag>
                    ) : null}
                    {m.usage && (m.usage.input !== undefined || m.usage.output !== undefined) ? (
                      <div className="muted" style={{ fontSize: 11, marginTop: 6 }}>
                        {t('chat.usage', { input: m.usage.input ?? '-', output: m.usage.output ?? '-' })}
                      </div>
                    ) : null}
                  </div>
                ),
              )
            )}
          </div>
          <div className="chat-input">
            <Input.TextArea
              value={input}
              onChange={setInput}
              placeholder={t('chat.inputPlaceholder')}
              autoSize={{ minRows: 1, maxRows: 8 }}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                  e.preventDefault()
                  submit()
                }
              }}
              data-testid="chat-input"
            />
            {streaming ? (
              <Button status="danger" icon={<IconRecordStop />} onClick={stop} data-testid="chat-stop">
                {t('chat.stop')}
              </Button>
            ) : (
              <Button
                type="primary"
                icon={<IconSend />}
                onClick={submit}
                disabled={!canSend || !input.trim()}
                data-testid="chat-send"
              >
                {t('chat.send')}
              </Button>
            )}
            <Button
              icon={<IconDelete />}
              onClick={clear}
              aria-label={t('chat.clear')}
              disabled={messages.length === 0}
            />
          </div>
        </div>

        <div className="chat-side">
          <Card title={t('chat.settings')} size="small" className="chat-settings">
            <div className="stat-label">{t('chat.key')}</div>
            <Select
              value={keyId || undefined}
              onChange={(v: string) => {
                setKeyId(v)
                setPasted('')
              }}
              placeholder={t('chat.pickKey')}
              data-testid="chat-key-select"
              options={[
                ...keys.map((k) => ({
                  label: `${k.name} (${k.key_prefix}…)${k.frozen ? ` · ${t('keys.status.frozen')}` : ''}`,
                  value: k.id,
                })),
                { label: t('chat.pasteKey'), value: PASTE },
              ]}
            />
            {!remembered ? (
              <>
                <Input.Password
                  style={{ marginTop: 8 }}
                  value={pasted}
                  onChange={setPasted}
                  placeholder={t('chat.pastePlaceholder')}
                  data-testid="chat-key-input"
                />
                <div className="muted" style={{ fontSize: 12, marginTop: 4 }}>
                  {t('chat.keyNotShown')}
                </div>
              </>
            ) : (
              <div className="muted" style={{ fontSize: 12, marginTop: 4 }}>
                {t('chat.keyRemembered')}
              </div>
            )}
            {selectedKey?.frozen ? (
              <Alert type="warning" style={{ marginTop: 8 }} content={t('chat.keyFrozen')} />
            ) : null}

            <div
              className="stat-label"
              style={{ marginTop: 12, display: 'flex', justifyContent: 'space-between' }}
            >
              <span>{t('common.model')}</span>
              <Button
                size="mini"
                type="text"
                icon={<IconRefresh />}
                onClick={() => void loadModels(apiKey)}
                disabled={!apiKey}
                aria-label={t('chat.reloadModels')}
              />
            </div>
            <Select
              showSearch
              allowCreate
              value={model}
              onChange={(v: string) => setModel(v)}
              loading={modelsLoading}
              placeholder={apiKey ? t('chat.pickModel') : t('chat.needKey')}
              options={models.map((m) => ({
                label: m.owned_by ? `${m.id} · ${m.owned_by}` : m.id,
                value: m.id,
              }))}
              notFoundContent={<span className="muted">{t('chat.noModels')}</span>}
              data-testid="chat-model-select"
            />
            {modelsError ? (
              <Alert
                type="error"
                style={{ marginTop: 8 }}
                content={modelsError}
                data-testid="chat-models-error"
              />
            ) : null}

            <div className="stat-label" style={{ marginTop: 12 }}>
              {t('chat.protocol')} {ownedBy ? <span className="muted">({ownedBy})</span> : null}
            </div>
            <Radio.Group
              type="button"
              size="small"
              value={protocol}
              onChange={(v: ChatProtocol) => setProtocol(v)}
              data-testid="chat-protocol"
            >
              <Radio value="openai">{t('provider.openai')}</Radio>
              <Radio value="anthropic">{t('provider.anthropic')}</Radio>
              <Radio value="gemini">{t('provider.gemini')}</Radio>
            </Radio.Group>

            <div className="stat-label" style={{ marginTop: 12 }}>
              {t('chat.system')}
            </div>
            <Input.TextArea
              value={system}
              onChange={setSystem}
              autoSize={{ minRows: 1, maxRows: 4 }}
              placeholder={t('chat.systemPlaceholder')}
            />
            <div className="grid-2" style={{ gap: 8, marginTop: 12 }}>
              <div>
                <div className="stat-label">{t('chat.maxTokens')}</div>
                <InputNumber
                  min={1}
                  max={200000}
                  precision={0}
                  value={maxTokens}
                  onChange={(v) => setMaxTokens(v ?? undefined)}
                  placeholder={t('chat.default')}
                />
              </div>
              <div>
                <div className="stat-label">{t('chat.temperature')}</div>
                <InputNumber
                  min={0}
                  max={2}
                  step={0.1}
                  precision={1}
                  value={temperature}
                  onChange={(v) => setTemperature(v ?? undefined)}
                  placeholder={t('chat.default')}
                />
              </div>
            </div>
          </Card>

          <Card
            title={t('chat.snippet')}
            size="small"
            className="snippet chat-snippet"
            extra={<CopyButton text={code} label={t('common.copy')} />}
          >
            <Segmented<SnippetLang>
              name="snippet-lang"
              value={lang}
              onChange={setLang}
              options={(['curl', 'python', 'node'] as const).map((l) => ({
                value: l,
                label: t(`snippet.${l}`),
              }))}
            />
            <pre data-testid="chat-snippet" tabIndex={0}>
              {code}
            </pre>
          </Card>
        </div>
      </div>
    </div>
  )
}
