import { useEffect, useState } from 'react'
import { Alert, Button, Checkbox, Input, Message, Modal, Space, Spin } from '@arco-design/web-react'
import { api, errorMessage } from '../../api/client.ts'
import type { Channel } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'

/**
 * Lists the upstream's models without saving, lets the admin choose which to keep (the channel's current ones
 * and, when it has none, all of them start ticked), then saves only those.
 */
export function FetchModelsModal(props: {
  channel: Channel | null
  onClose: () => void
  onSaved: () => void
}) {
  const { t } = useI18n()
  const c = props.channel
  const [models, setModels] = useState<string[] | null>(null)
  const [keep, setKeep] = useState<string[]>([])
  const [q, setQ] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    setModels(null)
    setError(null)
    setQ('')
    if (!c) return
    let live = true
    api
      .post<{ models: string[] }>(
        `/admin/channels/${c.id}/fetch-models`,
        { preview: true },
        { timeout: 60_000 },
      )
      .then((r) => {
        if (!live) return
        setModels(r.data.models)
        const current = r.data.models.filter((m) => c.models.includes(m))
        setKeep(current.length > 0 ? current : r.data.models)
      })
      .catch((e: unknown) => live && setError(errorMessage(e)))
    return () => {
      live = false
    }
  }, [c])

  const save = async () => {
    if (!c) return
    setBusy(true)
    try {
      const r = await api.post<{ count: number }>(
        `/admin/channels/${c.id}/fetch-models`,
        { keep },
        { timeout: 60_000 },
      )
      Message.success(t('channels.fetched', { count: r.data.count }))
      props.onSaved()
    } catch (e) {
      setError(errorMessage(e))
    } finally {
      setBusy(false)
    }
  }

  const shown = (models ?? []).filter((m) => m.toLowerCase().includes(q.toLowerCase()))
  return (
    <Modal
      title={t('channels.fetchTitle', { name: c?.name ?? '' })}
      visible={c !== null}
      onCancel={props.onClose}
      onOk={() => void save()}
      okButtonProps={{ disabled: models === null, 'data-testid': 'channel-fetch-save' } as object}
      confirmLoading={busy}
      okText={t('channels.keepSelected', { n: keep.length })}
      cancelText={t('common.cancel')}
      data-testid="channel-fetch-modal"
    >
      {error ? <Alert type="error" content={error} style={{ marginBottom: 12 }} /> : null}
      {models === null && !error ? <Spin /> : null}
      {models ? (
        <div>
          <Space style={{ marginBottom: 8 }} wrap>
            <Input
              size="small"
              style={{ width: 200 }}
              placeholder={t('channels.search')}
              value={q}
              onChange={setQ}
              allowClear
            />
            <Button size="small" onClick={() => setKeep([...new Set([...keep, ...shown])])}>
              {t('channels.selectAll')}
            </Button>
            <Button
              size="small"
              onClick={() => setKeep(keep.filter((m) => !shown.includes(m)))}
              data-testid="channel-fetch-none"
            >
              {t('channels.selectNone')}
            </Button>
          </Space>
          <div data-testid="channel-fetch-list">
            <Checkbox.Group
              value={keep}
              onChange={(v: string[]) => setKeep(v)}
              style={{ display: 'grid', maxHeight: 320, overflow: 'auto' }}
              options={shown.map((m) => ({ label: <span className="mono">{m}</span>, value: m }))}
            />
          </div>
        </div>
      ) : null}
    </Modal>
  )
}
