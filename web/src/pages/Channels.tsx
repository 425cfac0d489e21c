import { useMemo, useState } from 'react'
import {
  Alert,
  Button,
  Message,
  Select,
  Switch,
  Tag,
  Tooltip,
  type TableColumnProps,
} from '@arco-design/web-react'
import { IconCopy, IconEdit, IconSync, IconThunderbolt } from '@arco-design/web-react/icon'
import { api, getAll } from '../api/client.ts'
import type { Channel } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { SearchBox } from '../components/SearchBox.tsx'
import { DeleteButton, ListPage, useList } from '../components/ListPage.tsx'
import { num } from '../lib/format.ts'
import { ChannelDrawer } from './channels/ChannelDrawer.tsx'
import { TestModal } from './channels/TestModal.tsx'
import { HealthTag, healthOf } from './channels/HealthTag.tsx'
import { ModelsModal } from './channels/ModelsModal.tsx'
import { FetchModelsModal } from './channels/FetchModelsModal.tsx'

const providerColor: Record<string, string> = { openai: 'green', anthropic: 'orangered', gemini: 'arcoblue' }

const providers = ['openai', 'anthropic', 'gemini'] as const
const healthStates = ['ok', 'error', 'cooling', 'unknown'] as const
type SelectOption = { label: string; value: string }

interface Filters {
  q: string
  provider?: string
  health?: string
  tag?: string
}

/** Whether a channel matches the page's search (name, address, models, tags) and filters. */
function matches(c: Channel, f: Filters): boolean {
  const q = f.q.trim().toLowerCase()
  const text = [c.name, c.base_url, ...c.models, ...Object.keys(c.model_mapping ?? {}), ...(c.tags ?? [])]
  if (q && !text.some((x) => x.toLowerCase().includes(q))) return false
  if (f.provider && c.provider !== f.provider) return false
  if (f.health && healthOf(c) !== f.health) return false
  if (f.tag && !(c.tags ?? []).includes(f.tag)) return false
  return true
}

export default function Channels() {
  const { t } = useI18n()
  const list = useList(() => getAll<Channel>('/admin/channels'))
  const [filters, setFilters] = useState<Filters>({ q: '' })
  const [drawer, setDrawer] = useState(false)
  const [editing, setEditing] = useState<Channel | null>(null)
  const [copyOf, setCopyOf] = useState<Channel | null>(null)
  const [testing, setTesting] = useState<Channel | null>(null)
  const [modelsOf, setModelsOf] = useState<Channel | null>(null)
  const [fetchFor, setFetchFor] = useState<Channel | null>(null)
  const [testingAll, setTestingAll] = useState<{ done: number; total: number } | null>(null)

  const all = list.rows
  const tags = useMemo(() => [...new Set(all.flatMap((c) => c.tags ?? []))].sort(), [all])
  const unreached = all.filter((c) => (c.groups ?? []).length === 0)
  const shown = { ...list, rows: all.filter((c) => matches(c, filters)) }

  const openDrawer = (edit: Channel | null, copy: Channel | null) => {
    setEditing(edit)
    setCopyOf(copy)
    setDrawer(true)
  }

  /** Tests every shown channel one after another (each marks its health), then reloads once. */
  const testAll = async () => {
    const targets = shown.rows
    let failed = 0
    setTestingAll({ done: 0, total: targets.length })
    for (const [i, c] of targets.entries()) {
      try {
        const r = await api.post<{ ok: boolean }>(`/admin/channels/${c.id}/test`, {}, { timeout: 120_000 })
        if (!r.data.ok) failed++
      } catch {
        failed++
      }
      setTestingAll({ done: i + 1, total: targets.length })
    }
    setTestingAll(null)
    Message.info(t('channels.testAllDone', { ok: targets.length - failed, failed }))
    await list.reload()
  }

  const columns: TableColumnProps<Channel>[] = [
    {
      title: t('common.name'),
      dataIndex: 'name',
      width: 170,
      render: (v: string, r) => (
        <div>
          <b>{v}</b>
          {(r.tags ?? []).length > 0 ? (
            <div>
              {(r.tags ?? []).map((x) => (
                <Tag key={x} size="small" color="purple" style={{ marginRight: 4 }}>
                  {x}
                </Tag>
              ))}
            </div>
          ) : null}
        </div>
      ),
    },
    {
      title: t('channels.provider'),
      dataIndex: 'provider',
      width: 110,
      render: (v: string) => <Tag color={providerColor[v] ?? 'gray'}>{v}</Tag>,
    },
    {
      title: t('channels.health'),
      dataIndex: 'status',
      width: 110,
      render: (_: string, r) => <HealthTag c={r} />,
    },
    {
      title: t('channels.models'),
      dataIndex: 'models',
      width: 150,
      render: (_: string[], r) => (
        <Button
          size="mini"
          type="text"
          className="cell-link"
          onClick={() => setModelsOf(r)}
          data-testid={`channel-models-${r.id}`}
        >
          {t('channels.modelCount', { n: r.models.length, m: Object.keys(r.model_mapping ?? {}).length })}
        </Button>
      ),
    },
    {
      title: t('channels.groups'),
      dataIndex: 'groups',
      width: 160,
      render: (_: unknown, r) =>
        (r.groups ?? []).length === 0 ? (
          <Tooltip content={t('channels.noGroupHelp')}>
            <Tag color="orange" data-testid={`channel-nogroup-${r.id}`}>
              {t('channels.noGroup')}
            </Tag>
          </Tooltip>
        ) : (
          <span data-testid={`channel-groups-${r.id}`}>
            {(r.groups ?? []).map((g) => (
              <Tag key={g.id} color="arcoblue" style={{ marginRight: 4 }}>
                {g.name}
              </Tag>
            ))}
          </span>
        ),
    },
    {
      title: t('channels.responseTime'),
      dataIndex: 'response_ms',
      width: 110,
      render: (v: number | null | undefined, r) => (
        <span className="nowrap" data-testid={`channel-response-${r.id}`}>
          {v === null || v === undefined ? '-' : `${num(v)} ms`}
        </span>
      ),
    },
    {
      title: t('channels.enabled'),
      dataIndex: 'enabled',
      width: 90,
      render: (v: boolean, r) => (
        <Switch
          size="small"
          checked={v}
          onChange={(on) => void list.run(() => api.patch(`/admin/channels/${r.id}`, { enabled: on }))}
          aria-label={t('channels.enabled')}
          data-testid={`channel-enabled-${r.id}`}
        />
      ),
    },
    { title: t('channels.weight'), dataIndex: 'weight', width: 80 },
    {
      title: t('channels.baseUrl'),
      dataIndex: 'base_url',
      width: 240,
      render: (v: string) => <span className="mono">{v}</span>,
    },
    {
      title: t('channels.apiKey'),
      dataIndex: 'api_key',
      width: 120,
      render: (v: string) => <span className="mono muted">{v || '-'}</span>,
    },
  ]

  // The toolbar's filters; the tag filter shows once some channel has a tag.
  const filterSelects: {
    key: 'provider' | 'health' | 'tag'
    placeholder: string
    options: SelectOption[]
  }[] = [
    {
      key: 'provider',
      placeholder: t('channels.provider'),
      options: providers.map((v) => ({ label: v, value: v })),
    },
    {
      key: 'health',
      placeholder: t('channels.health'),
      options: healthStates.map((v) => ({ label: t(`channels.health.${v}`), value: v })),
    },
    { key: 'tag', placeholder: t('channels.tags'), options: tags.map((v) => ({ label: v, value: v })) },
  ]

  const action = (label: string, icon: React.ReactNode, onClick: () => void, testId?: string) => (
    <Tooltip content={label}>
      <Button size="mini" type="text" icon={icon} onClick={onClick} aria-label={label} data-testid={testId} />
    </Tooltip>
  )

  return (
    <ListPage<Channel>
      title={t('channels.title')}
      testId="channels"
      list={shown}
      columns={columns}
      rowKey="id"
      scrollX={1400}
      empty={all.length > 0 ? t('channels.noMatch') : t('channels.empty')}
      create={{
        label: t('channels.create'),
        onClick: () => openDrawer(null, null),
        testId: 'channel-create',
      }}
      toolbar={
        <>
          <SearchBox
            placeholder={t('channels.search')}
            value={filters.q}
            onChange={(q) => setFilters({ ...filters, q })}
            testId="channels-search"
          />
          {filterSelects.map((f) =>
            f.options.length > 0 ? (
              <Select
                key={f.key}
                style={{ width: 130 }}
                placeholder={f.placeholder}
                allowClear
                value={filters[f.key]}
                onChange={(v?: string) => setFilters({ ...filters, [f.key]: v })}
                options={f.options}
                data-testid={`channels-${f.key}-filter`}
              />
            ) : null,
          )}
          <Button
            icon={<IconThunderbolt />}
            loading={testingAll !== null}
            disabled={shown.rows.length === 0}
            onClick={() => void testAll()}
            data-testid="channels-test-all"
          >
            {testingAll ? `${testingAll.done}/${testingAll.total}` : t('channels.testAll')}
          </Button>
        </>
      }
      header={
        unreached.length > 0 ? (
          <Alert
            type="warning"
            style={{ marginBottom: 12 }}
            content={t('channels.unreachedWarning', {
              count: unreached.length,
              names: unreached.map((c) => c.name).join(', '),
            })}
            data-testid="channels-unreached"
          />
        ) : null
      }
      bulk={(selected, clear) => (
        <>
          {[true, false].map((on) => (
            <Button
              key={String(on)}
              size="small"
              onClick={() =>
                void list
                  .run(
                    () =>
                      api.post('/admin/channels/bulk-enable', {
                        ids: selected.map((c) => c.id),
                        enabled: on,
                      }),
                    t('common.saved'),
                  )
                  .then((ok) => ok && clear())
              }
              data-testid={on ? 'channels-bulk-enable' : 'channels-bulk-disable'}
            >
              {on ? t('channels.bulkEnable') : t('channels.bulkDisable')}
            </Button>
          ))}
        </>
      )}
      actions={{
        width: 190,
        render: (r) => (
          <>
            {action(t('common.edit'), <IconEdit />, () => openDrawer(r, null), `channel-edit-${r.id}`)}
            {action(t('channels.copy'), <IconCopy />, () => openDrawer(null, r), `channel-copy-${r.id}`)}
            {action(t('channels.fetchModels'), <IconSync />, () => setFetchFor(r), `channel-fetch-${r.id}`)}
            {action(t('channels.test'), <IconThunderbolt />, () => setTesting(r), `channel-test-${r.id}`)}
            <DeleteButton
              title={t('channels.deleteConfirm')}
              onOk={() => list.run(() => api.delete(`/admin/channels/${r.id}`), t('common.deleted'))}
              testId={`channel-delete-${r.id}`}
            />
          </>
        ),
      }}
    >
      <ChannelDrawer
        visible={drawer}
        editing={editing}
        copyOf={copyOf}
        onClose={() => setDrawer(false)}
        onSaved={() => {
          setDrawer(false)
          Message.success(t('common.saved'))
          void list.reload()
        }}
      />
      <TestModal channel={testing} onClose={() => setTesting(null)} onDone={() => void list.reload()} />
      <ModelsModal
        channel={modelsOf}
        onClose={() => setModelsOf(null)}
        onChanged={(c) => {
          setModelsOf(c)
          void list.reload()
        }}
      />
      <FetchModelsModal
        channel={fetchFor}
        onClose={() => setFetchFor(null)}
        onSaved={() => {
          setFetchFor(null)
          void list.reload()
        }}
      />
    </ListPage>
  )
}
