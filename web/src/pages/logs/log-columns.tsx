import { Button, Tag, Tooltip, type TableColumnProps } from '@arco-design/web-react'
import { IconEye } from '@arco-design/web-react/icon'
import type { UsageLog } from '../../api/types.ts'
import type { TKey, Vars } from '../../i18n/index.ts'
import { CopyButton } from '../../components/CopyButton.tsx'
import { dateTime, num, usd } from '../../lib/format.ts'

const statusColor = (status: number | null | undefined): string =>
  !status ? 'gray' : status >= 500 ? 'red' : status >= 400 ? 'orange' : 'green'

/** Table columns the server can sort by (src/services/logs/log-queries.ts LOG_SORTS); ListPage's `sorts`. */
export const sortable: Record<string, string> = {
  created_at: 'created_at',
  cost_usd: 'cost',
  duration_ms: 'duration',
  ttft_ms: 'ttft',
  input_tokens: 'input_tokens',
  output_tokens: 'output_tokens',
}

/**
 * Request ids are time-ordered (UUIDv7): their start is the time and the same on every row of a minute, so the
 * table shows the end, which tells rows apart; the whole id is in the tooltip and copied by the button.
 */
export function shortRequestId(id: string): string {
  return id.length > 12 ? `…${id.slice(-12)}` : id
}

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${num(v)} ms`)

/**
 * The Logs table's columns: time, id, status (with the error code) and cost first, so they are on screen at
 * 1280 px; admins also see the user, channel and client IP; `onOpen` (phones) adds a first column opening the record in a drawer instead of an expanded row.
 */
export function logColumns(opts: {
  t: (key: TKey, vars?: Vars) => string
  admin: boolean
  onOpen?: (requestId: string) => void
}): TableColumnProps<UsageLog>[] {
  const { t, admin, onOpen } = opts
  const columns: TableColumnProps<UsageLog>[] = [
    {
      title: t('logs.time'),
      dataIndex: 'created_at',
      width: 160,
      render: (v: string) => <span className="nowrap">{dateTime(v)}</span>,
    },
    {
      title: t('logs.requestId'),
      dataIndex: 'request_id',
      width: 150,
      render: (v: string) => (
        <span className="nowrap">
          <Tooltip content={v}>
            <span className="mono" data-testid={`log-id-${v}`}>
              {shortRequestId(v)}
            </span>
          </Tooltip>
          <CopyButton text={v} />
        </span>
      ),
    },
    {
      title: t('common.status'),
      dataIndex: 'status',
      width: 120,
      render: (v: number | null, r) => (
        <span className="nowrap" data-testid={`log-status-${r.request_id}`}>
          <Tag color={statusColor(v)}>{v ?? '-'}</Tag>
          {r.error_code ? (
            <div className="mono muted" style={{ fontSize: 11 }}>
              {r.error_code}
            </div>
          ) : null}
        </span>
      ),
    },
    {
      title: t('dashboard.cost'),
      dataIndex: 'cost_usd',
      width: 110,
      render: (v: number, r) => (
        <span className="mono nowrap" data-testid={`log-cost-${r.request_id}`}>
          {typeof v === 'number' ? usd(v) : '-'}
        </span>
      ),
    },
    {
      title: t('common.model'),
      dataIndex: 'model',
      width: 160,
      render: (v: string | null, r) => (
        <span className="nowrap">
          {v ?? '-'}
          {r.upstream_model && r.upstream_model !== v ? (
            <div className="muted" style={{ fontSize: 11 }}>
              → {r.upstream_model}
            </div>
          ) : null}
        </span>
      ),
    },
    ...(admin
      ? [
          {
            title: t('common.username'),
            dataIndex: 'username',
            width: 110,
            render: (v: string | null) => v ?? '-',
          },
          {
            title: t('logs.channel'),
            dataIndex: 'channel_name',
            width: 130,
            render: (v: string | null, r: UsageLog) => (
              <span data-testid={`log-channel-${r.request_id}`}>{v ?? r.channel_id ?? '-'}</span>
            ),
          },
          {
            title: t('logs.clientIp'),
            dataIndex: 'client_ip',
            width: 130,
            render: (v: string | null, r: UsageLog) => (
              <span className="mono" data-testid={`log-ip-${r.request_id}`}>
                {v ?? '-'}
              </span>
            ),
          },
        ]
      : []),
    { title: t('logs.keyName'), dataIndex: 'token_name', width: 120, render: (v: string | null) => v ?? '-' },
    {
      title: t('logs.latency'),
      dataIndex: 'duration_ms',
      width: 100,
      render: ms,
    },
    {
      title: t('logs.ttft'),
      dataIndex: 'ttft_ms',
      width: 100,
      render: ms,
    },
    {
      title: t('logs.input'),
      dataIndex: 'input_tokens',
      width: 90,
      render: (v: number) => num(v),
    },
    {
      title: t('logs.output'),
      dataIndex: 'output_tokens',
      width: 90,
      render: (v: number) => num(v),
    },
    { title: t('logs.cacheRead'), dataIndex: 'cache_read_tokens', width: 90, render: (v: number) => num(v) },
    {
      title: t('logs.cacheWrite'),
      width: 90,
      render: (_: unknown, r) => num(r.cache_write_tokens ?? r.cache_creation_tokens),
    },
    {
      title: t('logs.billing'),
      dataIndex: 'covered_by_package',
      width: 90,
      render: (v: boolean) =>
        v ? <Tag color="purple">{t('logs.package')}</Tag> : <Tag>{t('logs.balance')}</Tag>,
    },
  ]
  // On a phone the record opens in a full-width drawer: an expanded row is as wide as the scrolled table.
  if (onOpen)
    columns.unshift({
      title: '',
      key: 'open',
      width: 44,
      render: (_: unknown, r) => (
        <Button
          size="mini"
          type="text"
          icon={<IconEye />}
          onClick={() => onOpen(r.request_id)}
          aria-label={t('logs.openRecord')}
          data-testid={`log-open-${r.request_id}`}
        />
      ),
    })
  return columns
}
