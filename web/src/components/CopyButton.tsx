import { Button, Message } from '@arco-design/web-react'
import { IconCopy } from '@arco-design/web-react/icon'
import type { ReactNode } from 'react'
import { copyText } from '../lib/clipboard.ts'
import { useI18n } from '../i18n/index.ts'

export function CopyButton(props: {
  text: string
  label?: ReactNode
  size?: 'mini' | 'small' | 'default'
  type?: 'text' | 'secondary' | 'primary' | 'outline'
  testId?: string
}) {
  const { t } = useI18n()
  const onClick = async () => {
    const ok = await copyText(props.text)
    if (ok) Message.success(t('common.copied'))
    else Message.error(t('common.copyFailed'))
  }
  return (
    <Button
      size={props.size ?? 'mini'}
      type={props.type ?? 'text'}
      icon={<IconCopy />}
      onClick={onClick}
      data-testid={props.testId}
      aria-label={t('common.copy')}
    >
      {props.label}
    </Button>
  )
}
