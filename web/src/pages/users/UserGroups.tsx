import { Tag } from '@arco-design/web-react'
import { IconClose } from '@arco-design/web-react/icon'
import { api, getAll, getList } from '../../api/client.ts'
import type { Group } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { ConfirmButton, ListError, useList } from '../../components/ListPage.tsx'
import { PickAdd } from '../../components/PickAdd.tsx'

type Membership = Pick<Group, 'id' | 'name' | 'priority' | 'all_visible'>

/** A user's explicit memberships; all-visible groups apply to everyone and are shown as automatic. */
export function UserGroups({ username }: { username: string }) {
  const { t } = useI18n()
  const base = `/admin/users/${encodeURIComponent(username)}/groups`
  const memberships = useList(() => getList<Membership>(base), { filters: base })
  const groups = useList(() => getAll<Group>('/admin/groups'))
  const mine = memberships.rows

  const auto = groups.rows.filter((g) => g.all_visible)
  const candidates = groups.rows.filter((g) => !g.all_visible && !mine.some((m) => m.id === g.id))
  return (
    <div data-testid="user-groups">
      <div className="stat-label">{t('users.memberOf')}</div>
      {memberships.error ? <ListError list={memberships} /> : null}
      <div className="toolbar" style={{ marginBottom: 12 }}>
        {mine.length === 0 && auto.length === 0 ? <span className="muted">{t('users.noGroups')}</span> : null}
        {mine.map((g) => (
          <Tag key={g.id} color="arcoblue">
            {g.name}
            {/* Removing a membership changes what the user can call: asked first (issue 19 defect 7). */}
            <ConfirmButton
              title={t('users.removeGroupConfirm', { name: username, group: g.name })}
              onOk={() => memberships.run(() => api.delete(`${base}/${g.id}`))}
              label={t('users.removeGroup', { group: g.name })}
              icon={<IconClose />}
              iconOnly
              row
              testId={`user-group-remove-${g.name}`}
            />
          </Tag>
        ))}
        {auto
          .filter((g) => !mine.some((m) => m.id === g.id))
          .map((g) => (
            <Tag key={g.id} color="gray">
              {g.name} · {t('users.autoGroup')}
            </Tag>
          ))}
      </div>
      <PickAdd
        placeholder={t('users.addGroup')}
        options={candidates.map((g) => ({ label: g.name, value: g.id }))}
        label={t('common.add')}
        onAdd={(id) => memberships.run(() => api.post(`${base}/${id}`))}
        testId="user-group"
        width={240}
      />
    </div>
  )
}
