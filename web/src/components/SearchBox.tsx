import { Input } from '@arco-design/web-react'
import { IconSearch } from '@arco-design/web-react/icon'

/**
 * A list's search field. Without `onSearch` the search is live (`onChange` filters as one types); with it, Enter
 * applies the trimmed text and clearing applies an empty search (a search the server runs).
 */
export function SearchBox(props: {
  placeholder: string
  value: string
  onChange: (v: string) => void
  onSearch?: (v: string) => void
  width?: number
  testId?: string
}) {
  const { onSearch } = props
  return (
    <Input
      style={{ width: props.width ?? 200 }}
      prefix={<IconSearch />}
      placeholder={props.placeholder}
      value={props.value}
      onChange={props.onChange}
      onPressEnter={onSearch ? () => onSearch(props.value.trim()) : undefined}
      onClear={onSearch ? () => onSearch('') : undefined}
      allowClear
      data-testid={props.testId}
    />
  )
}
