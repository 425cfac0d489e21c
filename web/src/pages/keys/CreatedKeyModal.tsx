import type { ReactNode } from 'react'
import { Alert, Button, Modal, Space } from '@arco-design/web-react'
import type { ApiKey } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { CopyButton } from '../../components/CopyButton.tsx'

/**
 * A new key's plaintext, shown this once. Only its button closes it, not Esc, the mask or a corner cross
 * (issue 19 defect 7: Esc lost the key before it was copied).
 */
export function CreatedKeyModal(props: {
  created: ApiKey | null
  title?: ReactNode
  onClose: () => void
  /** Extra footer buttons (the owner's "Open in chat"). */
  extra?: ReactNode
}) {
  const { t } = useI18n()
  const { created } = props
  return (
    <Modal
      title={props.title ?? t('keys.createdTitle')}
      visible={created !== null}
      onCancel={props.onClose}
      footer={
        <Space>
          {props.extra}
          <Button type="primary" onClick={props.onClose} data-testid="key-created-close">
            {t('keys.savedIt')}
          </Button>
        </Space>
      }
      maskClosable={false}
      escToExit={false}
      closable={false}
      data-testid="key-created-modal"
    >
      <Alert type="warning" content={t('keys.shownOnce')} style={{ marginBottom: 12 }} />
      <div className="key-reveal mono">
        <span style={{ flex: 1 }} data-testid="created-key">
          {created?.key}
        </span>
        <CopyButton
          text={created?.key ?? ''}
          type="primary"
          size="small"
          label={t('common.copy')}
          testId="copy-created-key"
        />
      </div>
    </Modal>
  )
}
