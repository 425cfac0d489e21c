import { useMemo, type MouseEvent } from 'react'
import { renderMarkdown } from '../lib/markdown.ts'
import { copyText } from '../lib/clipboard.ts'
import { Message } from '@arco-design/web-react'
import { useI18n } from '../i18n/index.ts'

/** Model output as Markdown. The HTML comes from lib/markdown, which escapes any raw HTML in the source. */
export function Markdown({ text, className }: { text: string; className?: string }) {
  const { t } = useI18n()
  const html = useMemo(() => renderMarkdown(text), [text])
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    const target = e.target as HTMLElement
    if (!target.dataset.copy) return
    const code = target.closest('.md-code')?.querySelector('code')?.textContent ?? ''
    void copyText(code).then((ok) =>
      ok ? Message.success(t('common.copied')) : Message.error(t('common.copyFailed')),
    )
  }
  return (
    <div
      className={`markdown ${className ?? ''}`}
      onClick={onClick}
      dangerouslySetInnerHTML={{ __html: html }}
    />
  )
}
