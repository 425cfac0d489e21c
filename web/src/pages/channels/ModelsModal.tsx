import { Button, Message, Modal, Popconfirm, Tag } from '@arco-design/web-react'
import { IconClose } from '@arco-design/web-react/icon'
import { api, errorMessage } from '../../api/client.ts'
import type { Channel } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'

/** A channel's models and aliases; removing one asks first (issue 19 #7: one click removed it at once). */
export function ModelsModal(props: {
  channel: Channel | null
  onClose: () => void
  onChanged: (c: Channel) => void
}) {
  const { t } = useI18n()
  const c = props.channel
  const remove = async (name: string, alias: boolean) => {
    if (!c) return
    const body = alias
      ? { model_mapping: Object.fromEntries(Object.entries(c.model_mapping).filter(([k]) => k !== name)) }
      : { models: c.models.filter((m) => m !== name) }
    try {
      await api.patch(`/admin/channels/${c.id}`, body)
      props.onChanged({ ...c, ...body })
    } catch (e) {
      Message.error(errorMessage(e))
    }
  }
  const item = (key: string, label: string, alias: boolean) => (
    <Tag key={key} color={alias ? 'arcoblue' : undefined} data-testid={`channel-model-${key}`}>
      {label}
      <Popconfirm
        title={t('channels.removeModelConfirm', { name: key })}
        onOk={() => void remove(key, alias)}
      >
        <Button
          size="mini"
          type="text"
          icon={<IconClose />}
          aria-label={t('channels.removeModel', { name: key })}
          data-testid={`channel-model-remove-${key}`}
          style={{ marginLeft: 2, height: 16, width: 16 }}
        />
      </Popconfirm>
    </Tag>
  )
  const aliases = Object.entries(c?.model_mapping ?? {})
  return (
    <Modal
      title={t('channels.modelsOf', { name: c?.name ?? '' })}
      visible={c !== null}
      onCancel={props.onClose}
      footer={null}
    >
      {c ? (
        <div>
          <div className="stat-label">{t('channels.models')}</div>
          <div className="toolbar" style={{ marginBottom: 12 }}>
            {c.models.length === 0 ? <span className="muted">{t('common.noData')}</span> : null}
            {c.models.map((m) => item(m, m, false))}
          </div>
          <div className="stat-label">{t('channels.mapping')}</div>
          <div className="toolbar">
            {aliases.length === 0 ? <span className="muted">{t('common.noData')}</span> : null}
            {aliases.map(([k, v]) => item(k, `${k} → ${v}`, true))}
          </div>
        </div>
      ) : null}
    </Modal>
  )
}
