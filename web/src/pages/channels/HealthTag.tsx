import { Tag, Tooltip } from '@arco-design/web-react'
import type { Channel } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { dateTime } from '../../lib/format.ts'

export type Health = 'ok' | 'error' | 'cooling' | 'unknown'

/** The channel's health as the page names it (the server says healthy/unhealthy/cooling_down/unknown). */
export function healthOf(channel: Channel): Health {
  const s = channel.status ?? 'unknown'
  if (s === 'ok' || s === 'healthy') return 'ok'
  if (s === 'cooling_down') return 'cooling'
  if (s === 'error' || s === 'unhealthy') return 'error'
  return 'unknown'
}

const color: Record<Health, string> = { ok: 'green', cooling: 'orange', error: 'red', unknown: 'gray' }

/** The health tag; a failing channel shows its reason beside the tag, not only on hover. */
export function HealthTag({ c }: { c: Channel }) {
  const { t } = useI18n()
  const h = healthOf(c)
  const label = t(`channels.health.${h}`)
  const tip = [
    c.last_error,
    c.cooldown_until ? t('channels.coolingUntil', { time: dateTime(c.cooldown_until) }) : null,
  ]
    .filter(Boolean)
    .join(' · ')
  return (
    <Tooltip content={tip || label}>
      <span>
        <Tag color={color[h]} data-testid={`channel-health-${c.id}`}>
          {label}
        </Tag>
        {h === 'error' && c.last_error ? (
          <div
            className="muted"
            style={{ fontSize: 11, maxWidth: 100, overflow: 'hidden', textOverflow: 'ellipsis' }}
            data-testid={`channel-error-${c.id}`}
          >
            {c.last_error}
          </div>
        ) : null}
      </span>
    </Tooltip>
  )
}
