import { useEffect, useMemo, useState } from 'react'
import { Link } from 'react-router'
import { Alert, Button, Card, Input, Message, Select, Tag } from '@arco-design/web-react'
import { IconRefresh } from '@arco-design/web-react/icon'
import { errorMessage, getAll } from '../api/client.ts'
import type { ApiKey } from '../api/types.ts'
import { useI18n, type TKey } from '../i18n/index.ts'
import { errorFromBody } from '../lib/chat.ts'
import {
  buildClientSettings,
  keyPlaceholder,
  looksLikeFullKey,
  type ClientId,
} from '../lib/client-settings.ts'
import { keyFor } from '../store/keys.ts'
import { useGuideSelection } from '../store/guide-selection.ts'
import { CopyButton } from './CopyButton.tsx'
import { Segmented } from './Segmented.tsx'

/** Shown in the snippets until the user picks a model. */
export const MODEL_PLACEHOLDER = '<model>'

/**
 * The key and model pickers plus one tab per client of docs/clients.md, each snippet filled in with this
 * gateway's origin. Used by Home (get started) and Guide. The full key comes from the user (pasted) or from
 * this tab's record of keys created here; the server never returns it again.
 */
export function ClientGuide({ idPrefix = 'guide' }: { idPrefix?: string }) {
  const { t } = useI18n()
  const { keyId, pasted, model, setKey, paste, setModel } = useGuideSelection()
  const [keys, setKeys] = useState<ApiKey[] | null>(null)
  const [models, setModels] = useState<string[]>([])
  const [modelsError, setModelsError] = useState<string | null>(null)
  const [modelsLoading, setModelsLoading] = useState(false)
  const [client, setClient] = useState<ClientId>('openai')
  const [reload, setReload] = useState(0)

  useEffect(() => {
    let live = true
    getAll<ApiKey>('/user/tokens')
      .then((list) => {
        if (!live) return
        setKeys(list)
        const cur = useGuideSelection.getState().keyId
        if (!cur || !list.some((k) => k.id === cur)) {
          const pick = list.find((k) => !k.frozen && keyFor(k.id)) ?? list.find((k) => !k.frozen) ?? list[0]
          setKey(pick?.id ?? null)
        }
      })
      .catch((e: unknown) => {
        if (live) {
          setKeys([])
          Message.error(errorMessage(e))
        }
      })
    return () => {
      live = false
    }
  }, [setKey])

  const token = keys?.find((k) => k.id === keyId)
  const remembered = token ? keyFor(token.id) : undefined
  const typed = token ? (pasted[token.id] ?? '') : ''
  const fullKey = (remembered ?? typed).trim()
  const keyKnown = looksLikeFullKey(fullKey)
  const shownKey = keyKnown ? fullKey : keyPlaceholder(token?.key_prefix)

  // Models the key can use: the gateway's own list for that key; before the key is known, the key's allow-list.
  useEffect(() => {
    if (!keyKnown) {
      setModels(token?.allowed_models ?? [])
      setModelsError(null)
      return
    }
    let live = true
    setModelsLoading(true)
    setModelsError(null)
    fetch('/v1/models', { headers: { Authorization: `Bearer ${fullKey}` } })
      .then(async (res) => {
        const text = await res.text()
        if (!res.ok) throw new Error(errorFromBody(text, res.status))
        const body = JSON.parse(text) as { data?: { id?: unknown }[] }
        return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string')
      })
      .then((list) => {
        if (!live) return
        setModels(list)
        const cur = useGuideSelection.getState().model
        if (!cur || !list.includes(cur)) setModel(list[0] ?? cur)
      })
      .catch((e: unknown) => {
        if (!live) return
        setModels([])
        setModelsError(e instanceof Error ? e.message : String(e))
      })
      .finally(() => {
        if (live) setModelsLoading(false)
      })
    return () => {
      live = false
    }
  }, [keyKnown, fullKey, token?.allowed_models, setModel, reload])

  const settings = useMemo(
    () =>
      buildClientSettings({
        origin: window.location.origin,
        apiKey: shownKey,
        model: model || MODEL_PLACEHOLDER,
      }),
    [shownKey, model],
  )
  const current = settings.find((s) => s.id === client) ?? settings[0]

  return (
    <div className="guide" data-testid={`${idPrefix}-client-guide`}>
      <Card title={t('guide.settings')} size="small">
        <div className="guide-pickers">
          <div className="guide-field">
            <div className="stat-label">{t('guide.gatewayUrl')}</div>
            <div className="guide-origin mono" data-testid={`${idPrefix}-origin`}>
              {window.location.origin}
            </div>
          </div>
          <div className="guide-field">
            <div className="stat-label">{t('guide.key')}</div>
            {keys && keys.length === 0 ? (
              <Alert
                type="info"
                content={
                  <span>
                    {t('guide.noKeys')} <Link to="/apikeys">{t('home.createKey')}</Link>
                  </span>
                }
                data-testid={`${idPrefix}-no-keys`}
              />
            ) : (
              <Select
                value={keyId ?? undefined}
                onChange={(v: string) => setKey(v)}
                placeholder={t('guide.pickKey')}
                loading={keys === null}
                data-testid={`${idPrefix}-key-select`}
                options={(keys ?? []).map((k) => ({
                  label: `${k.name} (${keyPlaceholder(k.key_prefix)})${k.frozen ? ` · ${t('keys.status.frozen')}` : ''}`,
                  value: k.id,
                }))}
              />
            )}
            {token && !remembered ? (
              <>
                <Input.Password
                  style={{ marginTop: 8 }}
                  value={typed}
                  onChange={(v) => paste(token.id, v)}
                  placeholder={t('guide.pastePlaceholder', { prefix: keyPlaceholder(token.key_prefix) })}
                  autoComplete="off"
                  data-testid={`${idPrefix}-key-input`}
                />
                {typed.trim() && !keyKnown ? (
                  <div className="guide-warn">{t('guide.keyInvalid')}</div>
                ) : (
                  <div className="muted guide-help">{t('guide.pasteHelp')}</div>
                )}
              </>
            ) : null}
            {token && remembered ? <div className="muted guide-help">{t('guide.keyRemembered')}</div> : null}
            {token?.frozen ? (
              <Alert type="warning" style={{ marginTop: 8 }} content={t('chat.keyFrozen')} />
            ) : null}
          </div>
          <div className="guide-field">
            <div className="stat-label guide-label-row">
              <span>{t('common.model')}</span>
              <Button
                size="mini"
                type="text"
                icon={<IconRefresh />}
                onClick={() => setReload((n) => n + 1)}
                disabled={!keyKnown}
                aria-label={t('chat.reloadModels')}
              />
            </div>
            <Select
              showSearch
              allowCreate
              value={model || undefined}
              onChange={(v: string) => setModel(v ?? '')}
              loading={modelsLoading}
              placeholder={t('guide.pickModel')}
              options={models.map((m) => ({ label: m, value: m }))}
              notFoundContent={<span className="muted">{t('chat.noModels')}</span>}
              data-testid={`${idPrefix}-model-select`}
            />
            {modelsError ? (
              <Alert type="error" style={{ marginTop: 8 }} content={modelsError} />
            ) : !keyKnown ? (
              <div className="muted guide-help">{t('guide.modelsNeedKey')}</div>
            ) : null}
          </div>
        </div>
      </Card>

      <Card size="small" className="guide-clients">
        <Segmented<ClientId>
          name={`${idPrefix}-tool`}
          value={client}
          onChange={setClient}
          options={settings.map((s) => ({
            value: s.id,
            label: <span data-testid={`${idPrefix}-tool-${s.id}`}>{t(`guide.client.${s.id}` as TKey)}</span>,
          }))}
          testId={`${idPrefix}-tools`}
        />
        <div className="guide-client" data-testid={`${idPrefix}-client-${current.id}`}>
          <p className="guide-note">{t(`guide.note.${current.id}` as TKey)}</p>
          <div className="guide-meta">
            <span>
              <span className="muted">{t('guide.baseUrl')}: </span>
              <code className="mono">{current.baseUrl}</code>
            </span>
            <span>
              <span className="muted">{t('guide.keyHeader')}: </span>
              <code className="mono">{current.keyHeader}</code>
            </span>
            {keyKnown ? null : <Tag color="orangered">{t('guide.placeholderKey')}</Tag>}
          </div>
          {current.snippets.map((sn) => (
            <div key={sn.id} className="snippet guide-snippet">
              <div className="guide-snippet-head">
                <span>
                  {t(`guide.snippet.${sn.id}` as TKey)}
                  {sn.file ? <code className="mono guide-file">{sn.file}</code> : null}
                </span>
                <CopyButton
                  text={sn.code}
                  label={t('common.copy')}
                  testId={`${idPrefix}-copy-${current.id}-${sn.id}`}
                />
              </div>
              <pre data-testid={`${idPrefix}-snippet-${current.id}-${sn.id}`} tabIndex={0}>
                {sn.code}
              </pre>
            </div>
          ))}
        </div>
      </Card>
    </div>
  )
}
