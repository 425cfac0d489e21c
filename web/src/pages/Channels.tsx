import { useCallback, useEffect, useState } from 'react'
import {
  Button,
  Card,
  Message,
  Modal,
  Popconfirm,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  type TableColumnProps,
} from '@arco-design/web-react'
import {
  IconDelete,
  IconEdit,
  IconPlus,
  IconRefresh,
  IconSync,
  IconThunderbolt,
} from '@arco-design/web-react/icon'
import { api, errorMessage, getAll } from '../api/client.ts'
import type { Channel } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { useIsMobile } from '../components/useMedia.ts'
import { dateTime } from '../lib/format.ts'
import { ChannelDrawer } from './channels/ChannelDrawer.tsx'
import { TestModal } from './channels/TestModal.tsx'

const providerColor = { openai: 'green', anthropic: 'orangered', gemini: 'arcoblue' } as const

function HealthTag({ c }: { c: Channel }) {
  const { t } = useI18n()
  const s = c.status ?? 'unknown'
  const color =
    s === 'ok' || s === 'healthy'
      ? 'green'
      : s === 'cooling_down'
        ? 'orange'
        : s === 'error' || s === 'unhealthy'
          ? 'red'
          : 'gray'
  const label =
    s === 'ok' || s === 'healthy'
      ? t('channels.health.ok')
      : s === 'cooling_down'
        ? t('channels.health.cooling')
        : s === 'error' || s === 'unhealthy'
          ? t('channels.health.error')
          : t('channels.health.unknown')
  const tip = [
    c.last_error,
    c.cooldown_until ? t('channels.coolingUntil', { time: dateTime(c.cooldown_until) }) : null,
  ]
    .filter(Boolean)
    .join(' · ')
  return (
    <Tooltip content={tip || label}>
      <Tag color={color} data-testid={`channel-health-${c.id}`}>
        {label}
      </Tag>
    </Tooltip>
  )
}

export default function Channels() {
  const { t } = useI18n()
  const mobile = useIsMobile()
  const [rows, setRows] = useState<Channel[]>([])
  const [loading, setLoading] = useState(false)
  const [drawer, setDrawer] = useState(false)
  const [editing, setEditing] = useState<Channel | null>(null)
  const [testing, setTesting] = useState<Channel | null>(null)
  const [modelsOf, setModelsOf] = useState<Channel | null>(null)
  const [fetching, setFetching] = useState<string | null>(null)

  const load = useCallback(async () => {
    setLoading(true)
    try {
      setRows(await getAll<Channel>('/admin/channels'))
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setLoading(false)
    }
  }, [])

  useEffect(() => {
    void load()
  }, [load])

  const patch = async (c: Channel, body: Record<string, unknown>) => {
    try {
      await api.patch(`/admin/channels/${c.id}`, body)
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }

  const fetchModels = async (c: Channel) => {
    setFetching(c.id)
    try {
      const res = await api.post<{ count: number }>(`/admin/channels/${c.id}/fetch-models`, undefined, {
        timeout: 60_000,
      })
      Message.success(t('channels.fetched', { count: res.data.count }))
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setFetching(null)
    }
  }

  const removeModel = async (c: Channel, name: string, alias: boolean) => {
    const body = alias
      ? { model_mapping: Object.fromEntries(Object.entries(c.model_mapping).filter(([k]) => k !== name)) }
      : { models: c.models.filter((m) => m !== name) }
    await patch(c, body)
    setModelsOf((cur) => (cur ? { ...cur, ...body } : cur))
  }

  const columns: TableColumnProps<Channel>[] = [
    { title: t('common.name'), dataIndex: 'name', render: (v: string) => <b>{v}</b> },
    {
      title: t('channels.provider'),
      dataIndex: 'provider',
      render: (v: Channel['provider']) => <Tag color={providerColor[v] ?? 'gray'}>{v}</Tag>,
    },
    {
      title: t('channels.baseUrl'),
      dataIndex: 'base_url',
      render: (v: string) => <span className="mono">{v}</span>,
    },
    {
      title: t('channels.apiKey'),
      dataIndex: 'api_key',
      render: (v: string) => <span className="mono muted">{v || '-'}</span>,
    },
    { title: t('channels.weight'), dataIndex: 'weight' },
    {
      title: t('channels.enabled'),
      dataIndex: 'enabled',
      render: (v: boolean, r) => (
        <Switch
          size="small"
          checked={v}
          onChange={(on) => void patch(r, { enabled: on })}
          data-testid={`channel-enabled-${r.id}`}
        />
      ),
    },
    {
      title: t('channels.models'),
      dataIndex: 'models',
      render: (_: string[], r) => (
        <Button size="mini" type="text" onClick={() => setModelsOf(r)}>
          {t('channels.modelCount', { n: r.models.length, m: Object.keys(r.model_mapping ?? {}).length })}
        </Button>
      ),
    },
    { title: t('channels.health'), dataIndex: 'status', render: (_: string, r) => <HealthTag c={r} /> },
    {
      title: t('common.actions'),
      dataIndex: 'id',
      fixed: mobile ? undefined : 'right',
      render: (_: string, r) => (
        <Space size={2}>
          <Tooltip content={t('common.edit')}>
            <Button
              size="mini"
              type="text"
              icon={<IconEdit />}
              onClick={() => {
                setEditing(r)
                setDrawer(true)
              }}
              aria-label={t('common.edit')}
              data-testid={`channel-edit-${r.id}`}
            />
          </Tooltip>
          <Tooltip content={t('channels.fetchModels')}>
            <Button
              size="mini"
              type="text"
              icon={<IconSync />}
              loading={fetching === r.id}
              onClick={() => void fetchModels(r)}
              aria-label={t('channels.fetchModels')}
            />
          </Tooltip>
          <Tooltip content={t('channels.test')}>
            <Button
              size="mini"
              type="text"
              icon={<IconThunderbolt />}
              onClick={() => setTesting(r)}
              aria-label={t('channels.test')}
              data-testid={`channel-test-${r.id}`}
            />
          </Tooltip>
          <Popconfirm
            title={t('channels.deleteConfirm')}
            onOk={async () => {
              try {
                await api.delete(`/admin/channels/${r.id}`)
                Message.success(t('common.deleted'))
                await load()
              } catch (e) {
                Message.error(errorMessage(e))
              }
            }}
          >
            <Button
              size="mini"
              type="text"
              status="danger"
              icon={<IconDelete />}
              aria-label={t('common.delete')}
            />
          </Popconfirm>
        </Space>
      ),
    },
  ]

  return (
    <div className="page" data-testid="page-channels">
      <div className="page-head">
        <h2>{t('channels.title')}</h2>
        <div className="toolbar">
          <Button icon={<IconRefresh />} onClick={() => void load()} aria-label={t('common.refresh')} />
          <Button
            type="primary"
            icon={<IconPlus />}
            onClick={() => {
              setEditing(null)
              setDrawer(true)
            }}
            data-testid="channel-create"
          >
            {t('channels.create')}
          </Button>
        </div>
      </div>
      <Card>
        <Table<Channel>
          rowKey="id"
          loading={loading}
          columns={columns}
          data={rows}
          scroll={{ x: 1200 }}
          border={false}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          noDataElement={<span className="muted">{t('channels.empty')}</span>}
          data-testid="channels-table"
        />
      </Card>
      <ChannelDrawer
        visible={drawer}
        editing={editing}
        onClose={() => setDrawer(false)}
        onSaved={() => {
          setDrawer(false)
          Message.success(t('common.saved'))
          void load()
        }}
      />
      <TestModal channel={testing} onClose={() => setTesting(null)} onDone={() => void load()} />
      <Modal
        title={t('channels.modelsOf', { name: modelsOf?.name ?? '' })}
        visible={modelsOf !== null}
        onCancel={() => setModelsOf(null)}
        footer={null}
      >
        {modelsOf ? (
          <div>
            <div className="stat-label">{t('channels.models')}</div>
            <div className="toolbar" style={{ marginBottom: 12 }}>
              {modelsOf.models.length === 0 ? <span className="muted">{t('common.noData')}</span> : null}
              {modelsOf.models.map((m) => (
                <Tag key={m} closable onClose={() => void removeModel(modelsOf, m, false)}>
                  {m}
                </Tag>
              ))}
            </div>
            <div className="stat-label">{t('channels.mapping')}</div>
            <div className="toolbar">
              {Object.keys(modelsOf.model_mapping ?? {}).length === 0 ? (
                <span className="muted">{t('common.noData')}</span>
              ) : null}
              {Object.entries(modelsOf.model_mapping ?? {}).map(([k, v]) => (
                <Tag key={k} color="arcoblue" closable onClose={() => void removeModel(modelsOf, k, true)}>
                  {k} → {v}
                </Tag>
              ))}
            </div>
          </div>
        ) : null}
      </Modal>
    </div>
  )
}
