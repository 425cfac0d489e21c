import { useState } from 'react'
import { Button, Select, Space } from '@arco-design/web-react'
import { IconPlus } from '@arco-design/web-react/icon'

/**
 * Pick one item and add it (a channel to a group, a group to a user). `onAdd` resolves true when the item was
 * added; the pick is then cleared. The select and button carry data-testid `<testId>-pick` and `<testId>-add`.
 */
export function PickAdd(props: {
  placeholder: string
  options: { label: string; value: string }[]
  label: string
  onAdd: (value: string) => Promise<boolean>
  testId: string
  width: number
  showSearch?: boolean
}) {
  const [pick, setPick] = useState<string | undefined>()
  const add = async () => {
    if (pick && (await props.onAdd(pick))) setPick(undefined)
  }
  return (
    <Space style={{ width: '100%' }} wrap>
      <Select
        style={{ width: props.width, maxWidth: '70vw' }}
        placeholder={props.placeholder}
        value={pick}
        onChange={(v: string) => setPick(v)}
        options={props.options}
        showSearch={props.showSearch}
        data-testid={`${props.testId}-pick`}
      />
      <Button
        type="primary"
        icon={<IconPlus />}
        disabled={!pick}
        onClick={() => void add()}
        data-testid={`${props.testId}-add`}
      >
        {props.label}
      </Button>
    </Space>
  )
}
