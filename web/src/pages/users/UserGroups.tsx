import { useCallback, useEffect, useState } from 'react'
import { Button, Message, Popconfirm, Select, Space, Tag } from '@arco-design/web-react'
import { IconClose, IconPlus } from '@arco-design/web-react/icon'
import { api, errorMessage, getAll, getList } from '../../api/client.ts'
import type { Group } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'

type Membership = Pick<Group, 'id' | 'name' | 'priority' | 'all_visible'>

/** A user's explicit memberships; all-visible groups apply to everyone and are shown as automatic. */
export function UserGroups({ username }: { username: string }) {
  const { t } = useI18n()
  const [mine, setMine] = useState<Membership[]>([])
  const [groups, setGroups] = useState<Group[]>([])
  const [pick, setPick] = useState<string | undefined>()
  const base = `/admin/users/${encodeURIComponent(username)}/groups`

  const load = useCallback(async () => {
    try {
      const [m, g] = await Promise.all([getList<Membership>(base), getAll<Group>('/admin/groups')])
      setMine(m.data)
      setGroups(g)
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }, [base])

  useEffect(() => {
    void load()
  }, [load])

  const add = async () => {
    if (!pick) return
    try {
      await api.post(`${base}/${pick}`)
      setPick(undefined)
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }
  const remove = async (gid: string) => {
    try {
      await api.delete(`${base}/${gid}`)
      await load()
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }

  const auto = groups.filter((g) => g.all_visible)
  const candidates = groups.filter((g) => !g.all_visible && !mine.some((m) => m.id === g.id))
  return (
    <div data-testid="user-groups">
      <div className="stat-label">{t('users.memberOf')}</div>
      <div className="toolbar" style={{ marginBottom: 12 }}>
        {mine.length === 0 && auto.length === 0 ? <span className="muted">{t('users.noGroups')}</span> : null}
        {mine.map((g) => (
          <Tag key={g.id} color="arcoblue">
            {g.name}
            {/* Removing a membership changes what the user can call: asked first (issue 19 defect 7). */}
            <Popconfirm
              title={t('users.removeGroupConfirm', { name: username, group: g.name })}
              onOk={() => remove(g.id)}
            >
              <Button
                size="mini"
                type="text"
                icon={<IconClose />}
                aria-label={t('users.removeGroup', { group: g.name })}
                data-testid={`user-group-remove-${g.name}`}
              />
            </Popconfirm>
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
      <Space wrap>
        <Select
          style={{ width: 240, maxWidth: '70vw' }}
          placeholder={t('users.addGroup')}
          value={pick}
          onChange={(v: string) => setPick(v)}
          options={candidates.map((g) => ({ label: g.name, value: g.id }))}
          data-testid="user-group-pick"
        />
        <Button
          type="primary"
          icon={<IconPlus />}
          disabled={!pick}
          onClick={() => void add()}
          data-testid="user-group-add"
        >
          {t('common.add')}
        </Button>
      </Space>
    </div>
  )
}
