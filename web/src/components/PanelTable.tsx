/**
 * A small table inside a modal or panel (a group's channels, rules and prices): ListPage's table without the page,
 * the paging or the selection, loaded by the same `useList` and showing a load error with the same retry.
 */
import type { ReactNode } from 'react'
import { Table, type TableColumnProps } from '@arco-design/web-react'
import { ListError, type ListState } from './ListPage.tsx'

export function PanelTable<T>(props: {
  list: ListState<T>
  columns: TableColumnProps<T>[]
  rowKey: keyof T & string
  /** What an empty (successfully loaded) list says. */
  empty: ReactNode
  /** The table's minimum width before it scrolls. */
  scrollX?: number
}) {
  const { list } = props
  if (list.error) return <ListError list={list} />
  return (
    <Table<T>
      rowKey={props.rowKey}
      loading={list.loading}
      data={list.rows}
      columns={props.columns}
      pagination={false}
      size="small"
      border={false}
      scroll={props.scrollX ? { x: props.scrollX } : undefined}
      noDataElement={<span className="muted">{props.empty}</span>}
    />
  )
}
