import { useEffect, useState } from 'react'
import { Alert, Button, Modal, Select, Space, Tag } from '@arco-design/web-react'
import { api } from '../../api/client.ts'
import type { Channel } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { useAction } from '../../components/useAction.ts'

interface TestResult {
  ok: boolean
  status?: number
  latency_ms?: number
  message?: string | null
  model?: string
}

/** Send a one-token request through a channel and show how it went. */
export function TestModal({
  channel,
  onClose,
  onDone,
}: {
  channel: Channel | null
  onClose: () => void
  onDone: () => void
}) {
  const { t } = useI18n()
  const [model, setModel] = useState<string | undefined>()
  const [result, setResult] = useState<TestResult | null>(null)
  const { busy, error, setError, run: running } = useAction()
  const options = channel
    ? [...new Set([...channel.models, ...Object.keys(channel.model_mapping ?? {})])]
    : []

  useEffect(() => {
    setResult(null)
    setError(null)
    setModel(channel ? [...channel.models, ...Object.keys(channel.model_mapping ?? {})][0] : undefined)
  }, [channel, setError])

  const run = async () => {
    if (!channel) return
    setResult(null)
    await running(async () => {
      const res = await api.post<TestResult>(`/admin/channels/${channel.id}/test`, model ? { model } : {}, {
        timeout: 120_000,
      })
      setResult(res.data)
      onDone()
    })
  }

  return (
    <Modal
      title={t('channels.testTitle', { name: channel?.name ?? '' })}
      visible={channel !== null}
      onCancel={onClose}
      footer={
        <Space>
          <Button onClick={onClose}>{t('common.close')}</Button>
          <Button type="primary" loading={busy} onClick={() => void run()} data-testid="channel-test-run">
            {t('channels.runTest')}
          </Button>
        </Space>
      }
    >
      <div className="stat-label">{t('common.model')}</div>
      <Select
        showSearch
        allowCreate
        value={model}
        onChange={(v: string) => setModel(v)}
        options={options}
        placeholder={t('channels.testModelHint')}
      />
      {result ? (
        <Alert
          style={{ marginTop: 12 }}
          type={result.ok ? 'success' : 'error'}
          data-testid="channel-test-result"
          content={
            <span>
              <Tag color={result.ok ? 'green' : 'red'}>
                {result.ok ? t('channels.testOk') : t('channels.testFailed')}
              </Tag>{' '}
              {result.status ? `HTTP ${result.status} · ` : ''}
              {result.latency_ms !== undefined ? `${result.latency_ms} ms` : ''}
              {result.model ? ` · ${result.model}` : ''}
              {result.message ? (
                <div style={{ marginTop: 4, wordBreak: 'break-word' }}>{result.message}</div>
              ) : null}
            </span>
          }
        />
      ) : null}
      {error ? <Alert style={{ marginTop: 12 }} type="error" content={error} /> : null}
    </Modal>
  )
}
