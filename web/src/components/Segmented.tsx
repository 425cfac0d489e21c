import type { ReactNode } from 'react'
import { Radio } from '@arco-design/web-react'

export interface SegmentOption<K extends string> {
  value: K
  label: ReactNode
}

/**
 * One choice among a few views of the same place: a guide's client, a snippet's language, a vendor filter.
 * These were Arco Tabs without panels, whose tabs have no tablist parent and point at panels that do not
 * exist, which axe refuses (docs/dashboard.md, Accessibility); what they really are is a group of radio
 * buttons, which a screen reader announces as "1 of 3, selected" and arrow keys move through.
 */
export function Segmented<K extends string>(props: {
  /** The group's name for the radios (arrow keys stay inside one group). */
  name: string
  options: SegmentOption<K>[]
  value: K
  onChange: (value: K) => void
  size?: 'mini' | 'small' | 'default'
  testId?: string
}) {
  return (
    <Radio.Group
      type="button"
      name={props.name}
      size={props.size ?? 'small'}
      value={props.value}
      onChange={(v: K) => props.onChange(v)}
      className="segmented"
      data-testid={props.testId}
    >
      {props.options.map((o) => (
        <Radio key={o.value} value={o.value}>
          {o.label}
        </Radio>
      ))}
    </Radio.Group>
  )
}
