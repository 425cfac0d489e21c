import type { MouseEvent } from 'react'
import { IconMinus, IconPlus } from '@arco-design/web-react/icon'
import { useI18n } from '../i18n/index.ts'

/**
 * A table row's expand button with a name and its state: Arco's default is an unnamed "+" (axe: button-name,
 * issue 19 #11). Use as `expandProps={{ icon: (p) => <ExpandButton {...p} /> }}`; Arco passes the click.
 */
export function ExpandButton(props: { expanded: boolean; onClick?: (e: MouseEvent) => void }) {
  const { t } = useI18n()
  return (
    <button
      type="button"
      aria-label={t('list.rowDetails')}
      aria-expanded={props.expanded}
      onClick={props.onClick}
    >
      {props.expanded ? <IconMinus /> : <IconPlus />}
    </button>
  )
}

/** Arco's `expandProps.icon` that draws the named button. */
export function expandIcon(p: { expanded: boolean }) {
  return <ExpandButton expanded={p.expanded} />
}
