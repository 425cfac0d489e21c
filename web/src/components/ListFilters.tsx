import type { ReactElement } from 'react'
import { Input, Select } from '@arco-design/web-react'

interface FilterProps {
  label: string
  width: number
  testId?: string
}

/** What every filter field has: the placeholder is also its accessible name (axe: label), and it can be cleared. */
const common = (p: FilterProps) => ({
  style: { width: p.width },
  placeholder: p.label,
  'aria-label': p.label,
  allowClear: true,
  'data-testid': p.testId,
})

/** A list toolbar's text filter; Enter applies the filters. */
export function FilterInput(
  props: FilterProps & { value: string; onChange: (v: string) => void; onApply: () => void },
) {
  return (
    <Input {...common(props)} value={props.value} onChange={props.onChange} onPressEnter={props.onApply} />
  )
}

/** A list toolbar's choice filter. */
export function FilterSelect(
  props: FilterProps & {
    value: string | undefined
    onChange: (v: string | undefined) => void
    options: { label: string; value: string }[]
    search?: boolean
  },
) {
  return (
    <Select
      {...common(props)}
      showSearch={props.search}
      value={props.value}
      onChange={props.onChange}
      options={props.options}
    />
  )
}

type TextKey<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F]

/**
 * The text filters of a page's draft filters (applied by its Query button or Enter): `text('model', label, 180)`
 * edits `draft.model`; the test id is `<prefix>-model` when a prefix is given.
 */
export function textFilters<F>(draft: F, setDraft: (f: F) => void, apply: () => void, prefix?: string) {
  return (k: TextKey<F>, label: string, width: number): ReactElement => (
    <FilterInput
      {...{ label, width, onApply: apply }}
      testId={prefix ? `${prefix}-${String(k)}` : undefined}
      value={draft[k] as string}
      onChange={(v) => setDraft({ ...draft, [k]: v })}
    />
  )
}
