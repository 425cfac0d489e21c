import { Checkbox } from '@arco-design/web-react'
import { useI18n } from '../i18n/index.ts'

type Key = string | number

/**
 * A table header's select-all box, with a name. Arco's own box takes no props, so it has no label and axe
 * refuses it (issue 19 #11); this one stands in its place (rowSelection checkAll off, columnTitle this) and,
 * like Arco's, selects or clears the selectable rows of the page shown, keeping the selection on other pages.
 */
export function SelectAllBox(props: { pageKeys: Key[]; selected: Key[]; onChange: (keys: Key[]) => void }) {
  const { t } = useI18n()
  const { pageKeys, selected } = props
  const picked = pageKeys.filter((k) => selected.includes(k)).length
  const all = picked > 0 && picked === pageKeys.length
  return (
    <Checkbox
      aria-label={t('list.selectAll')}
      checked={all}
      indeterminate={picked > 0 && !all}
      disabled={pageKeys.length === 0}
      onChange={(on: boolean) =>
        props.onChange(
          on
            ? [...selected, ...pageKeys.filter((k) => !selected.includes(k))]
            : selected.filter((k) => !pageKeys.includes(k)),
        )
      }
      data-testid="list-select-all"
    />
  )
}
