import { useEffect, useState } from 'react'
import { Card, Empty, Message, Select } from '@arco-design/web-react'
import { errorMessage, getAll } from '../api/client.ts'
import type { Group } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { RulesPanel } from './groups/RulesPanel.tsx'

/** Rate-limit rules per group (the same editor as in Groups → Rules). */
export default function RateLimits() {
  const { t } = useI18n()
  const [groups, setGroups] = useState<Group[]>([])
  const [groupId, setGroupId] = useState<string | undefined>()

  useEffect(() => {
    getAll<Group>('/admin/groups')
      .then((g) => {
        setGroups(g)
        setGroupId((cur) => cur ?? g[0]?.id)
      })
      .catch((e: unknown) => Message.error(errorMessage(e)))
  }, [])

  const group = groups.find((g) => g.id === groupId)
  return (
    <div className="page" data-testid="page-rate-limits">
      <div className="page-head">
        <h2>{t('rules.title')}</h2>
        <div className="toolbar">
          <span className="muted">{t('keys.group')}</span>
          <Select
            style={{ width: 220 }}
            value={groupId}
            onChange={(v: string) => setGroupId(v)}
            options={groups.map((g) => ({ label: g.name, value: g.id }))}
            placeholder={t('rules.pickGroup')}
            // No showSearch: Arco's search box stays focusable while hidden behind a chosen value
            // (axe: aria-hidden-focus, issue 19 #11), and a handful of groups needs no search.
            data-testid="rules-group"
          />
        </div>
      </div>
      <Card title={group ? t('groups.panel.rules', { name: group.name }) : undefined}>
        <div className="muted" style={{ marginBottom: 12, fontSize: 12 }}>
          {t('rules.help')}
        </div>
        {groupId ? (
          <RulesPanel key={groupId} groupId={groupId} />
        ) : (
          <Empty description={t('rules.noGroups')} />
        )}
      </Card>
    </div>
  )
}
