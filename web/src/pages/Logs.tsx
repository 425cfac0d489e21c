import { useEffect, useState } from 'react'
import { Button, DatePicker, Drawer, Message } from '@arco-design/web-react'
import { IconDownload, IconSearch } from '@arco-design/web-react/icon'
import { api, errorMessage, getAll } from '../api/client.ts'
import type { Channel, UsageLog } from '../api/types.ts'
import { ListPage, usePagedList } from '../components/ListPage.tsx'
import { FilterSelect, textFilters } from '../components/ListFilters.tsx'
import { useIsMobile } from '../components/useMedia.ts'
import { isAdminRole, useAuth } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { browserTimeZone, lastDays } from '../lib/format.ts'
import { LogDetail } from './logs/LogDetail.tsx'
import { logColumns, shortRequestId, sortable } from './logs/log-columns.tsx'

interface Filters {
  range: [string, string]
  model: string
  status?: string
  username: string
  key: string
  channel?: string
  ip: string
}

/** The list's and the export's filters: the applied ones (admins' own ones only for admins). */
function logsQuery(f: Filters, admin: boolean) {
  return {
    model: f.model.trim() || undefined,
    status: f.status,
    start_date: f.range[0],
    end_date: f.range[1],
    timezone: browserTimeZone(),
    key: f.key.trim() || undefined,
    username: admin ? f.username.trim() || undefined : undefined,
    channel_id: admin ? f.channel : undefined,
    ip: admin ? f.ip.trim() || undefined : undefined,
  }
}

async function downloadCsv(url: string, params: Record<string, unknown>) {
  const res = await api.get<Blob>(url, { params, responseType: 'blob', timeout: 120_000 })
  const href = URL.createObjectURL(res.data)
  const a = document.createElement('a')
  a.href = href
  a.download = 'request-logs.csv'
  a.click()
  URL.revokeObjectURL(href)
}

export default function Logs() {
  const { t } = useI18n()
  const admin = isAdminRole(useAuth((s) => s.role))
  const mobile = useIsMobile()
  const base = admin ? '/admin/logs' : '/user/logs'
  const [draft, setDraft] = useState<Filters>(() => ({
    range: lastDays(1),
    model: '',
    username: '',
    key: '',
    ip: '',
  }))
  const [filters, setFilters] = useState<Filters>(draft)
  const [channels, setChannels] = useState<Channel[]>([])
  const [detail, setDetail] = useState<string | null>(null)
  const [exporting, setExporting] = useState(false)
  const list = usePagedList<UsageLog>(base, logsQuery(filters, admin))

  useEffect(() => {
    if (!admin) return
    getAll<Channel>('/admin/channels')
      .then(setChannels)
      .catch(() => setChannels([]))
  }, [admin])

  const apply = () => {
    // The same filters again: a fresh load all the same (the button reads as "query now").
    if (JSON.stringify(draft) === JSON.stringify(filters)) void list.reload()
    else setFilters(draft)
  }
  const exportCsv = async () => {
    setExporting(true)
    try {
      const order = { sort_by: list.sort.by, sort_order: list.sort.order }
      await downloadCsv(`${base}/export`, { ...logsQuery(filters, admin), ...order })
    } catch (e) {
      Message.error(errorMessage(e))
    } finally {
      setExporting(false)
    }
  }
  const text = textFilters(draft, setDraft, apply, 'logs')

  return (
    <ListPage<UsageLog>
      title={t('logs.title')}
      testId="logs"
      list={list}
      rowKey="request_id"
      columns={logColumns({ t, admin, onOpen: mobile ? setDetail : undefined })}
      sorts={sortable}
      size="small"
      scrollX={admin ? 1830 : 1460}
      // On a phone the record opens in a full-width drawer: an expanded row is as wide as the scrolled table.
      expand={mobile ? undefined : (r) => <LogDetail requestId={r.request_id} admin={admin} />}
      toolbar={
        <>
          <DatePicker.RangePicker
            value={draft.range}
            allowClear={false}
            style={{ width: 250 }}
            onChange={(v: string[]) => v?.length === 2 && setDraft({ ...draft, range: [v[0], v[1]] })}
          />
          {text('model', t('logs.modelFilter'), 180)}
          <FilterSelect
            label={t('logs.statusFilter')}
            width={130}
            value={draft.status}
            onChange={(v) => setDraft({ ...draft, status: v })}
            options={['2xx', '4xx', '429', '5xx'].map((v) => ({ label: v, value: v }))}
          />
          {text('key', t('logs.keyFilter'), 150)}
          {admin ? (
            <>
              {text('username', t('common.username'), 150)}
              <FilterSelect
                label={t('logs.channel')}
                width={160}
                search
                value={draft.channel}
                onChange={(v) => setDraft({ ...draft, channel: v })}
                options={channels.map((c) => ({ label: c.name, value: c.id }))}
                testId="logs-channel"
              />
              {text('ip', t('logs.clientIp'), 150)}
            </>
          ) : null}
          <Button type="primary" icon={<IconSearch />} onClick={apply} data-testid="logs-query">
            {t('common.query')}
          </Button>
          <Button
            icon={<IconDownload />}
            loading={exporting}
            onClick={() => void exportCsv()}
            data-testid="logs-export"
          >
            {t('logs.export')}
          </Button>
        </>
      }
    >
      <Drawer
        width="100%"
        title={detail ? shortRequestId(detail) : ''}
        visible={detail !== null}
        onCancel={() => setDetail(null)}
        footer={null}
        unmountOnExit
      >
        {detail ? <LogDetail requestId={detail} admin={admin} /> : null}
      </Drawer>
    </ListPage>
  )
}
