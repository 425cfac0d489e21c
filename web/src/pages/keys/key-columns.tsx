import { Tag, type TableColumnProps } from '@arco-design/web-react'
import type { ApiKey } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { timeColumn } from '../../components/ListPage.tsx'
import { dateOnly, usd } from '../../lib/format.ts'
import { keyStatus, statusColor } from './status.ts'

/** The columns the owner's and the administrator's key tables share: spend and cap, status, expiry, use, creation. */
export function useKeyStateColumns(): TableColumnProps<ApiKey>[] {
  const { t } = useI18n()
  return [
    {
      title: t('keys.usedQuota'),
      dataIndex: 'used_usd',
      width: 170,
      render: (_: number, r) => (
        <span className="nowrap">
          {usd(r.used_usd)} /{' '}
          {r.quota_usd && r.quota_usd > 0 ? (
            usd(r.quota_usd)
          ) : (
            <span className="muted">{t('keys.noCap')}</span>
          )}
        </span>
      ),
    },
    {
      title: t('common.status'),
      dataIndex: 'frozen',
      width: 130,
      render: (_: boolean, r) => {
        const s = keyStatus(r)
        return (
          <Tag color={statusColor[s]} data-testid={`key-status-${r.id}`}>
            {s === 'frozen' && r.frozen_by === 'admin' ? t('keys.frozenByAdmin') : t(`keys.status.${s}`)}
          </Tag>
        )
      },
    },
    {
      title: t('keys.expiresAt'),
      dataIndex: 'expires_at',
      width: 120,
      render: (v: string | null) => (v ? dateOnly(v) : <span className="muted">{t('keys.never')}</span>),
    },
    timeColumn(t('keys.lastUsed'), 'last_used_at'),
    timeColumn(t('common.createdAt'), 'created_at'),
  ]
}
