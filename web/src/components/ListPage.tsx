/**
 * The one scaffold of the dashboard's admin tables: title, toolbar (filters, refresh, create), the table with its
 * loading state, a load error shown as an error with a retry (never as the empty text, issue 19 defect 8), an
 * actions column sized to its buttons, and bulk selection. Modals and drawers go in as children.
 *
 * Usage:
 *
 *   const list = useList((p) => getList<User>('/admin/users', { page: p.page, page_size: p.pageSize, q }), {
 *     filters: q, // a change goes back to page 1 and reloads
 *   })
 *   <ListPage<User>
 *     title={t('users.title')} testId="users" list={list} columns={columns} rowKey="username"
 *     toolbar={<Input … />}
 *     create={{ label: t('users.create'), onClick: () => …, testId: 'user-create' }}
 *     actions={{ width: 180, render: (r) => <Button …/> }}
 *     bulk={(selected, clear) => <Button onClick={() => list.run(…, t('common.saved')).then(clear)}>…</Button>}
 *     empty={t('users.empty')}
 *   >
 *     <UserFormModal … />
 *   </ListPage>
 *
 * `useList` fetches either one server page (`paged: true`, the fetcher gets page/pageSize) or the whole list
 * (`T[]`, paginated here). Server-side order: `sorts` maps a column's dataIndex to the server's sort key; a click
 * on its header sets `list.sort`, which the fetcher gets as `p.sort` (and goes back to page 1). `expand` opens a
 * row's details under it behind a named expand button. `usePagedList(url, params)` is useList of one server page
 * of `url` in the list's order. `list.run(fn, ok)` runs a change, shows `ok` or the error, then reloads.
 * The page carries data-testid `page-<testId>`, the table `<testId>-table`, the error `list-error`.
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react'
import {
  Alert,
  Button,
  Card,
  Message,
  Popconfirm,
  Space,
  Table,
  type ButtonProps,
  type TableColumnProps,
  type TableProps,
} from '@arco-design/web-react'
import { IconDelete, IconEdit, IconPlus, IconRefresh } from '@arco-design/web-react/icon'
import { errorMessage, getList } from '../api/client.ts'
import type { ListResponse } from '../api/types.ts'
import { useI18n } from '../i18n/index.ts'
import { useIsMobile } from './useMedia.ts'
import { dateTime } from '../lib/format.ts'
import { SelectAllBox } from './SelectAllBox.tsx'
import { expandIcon } from './ExpandButton.tsx'

/** A server-side order: the server's sort key and direction; empty for the server's default order. */
export interface ListSort {
  by?: string
  order?: 'asc' | 'desc'
}

export interface PageRequest {
  page: number
  pageSize: number
  sort: ListSort
}

export interface ListState<T> {
  rows: T[]
  total: number
  page: number
  pageSize: number
  /** Whether the server pages (otherwise the table pages the whole list). */
  paged: boolean
  loading: boolean
  /** The last load's error message, or null. */
  error: string | null
  setPage: (page: number, pageSize: number) => void
  sort: ListSort
  /** A new order starts again at page 1. */
  setSort: (sort: ListSort) => void
  reload: () => Promise<void>
  /** Run a change; toast `ok` (when given) or the error; reload. Resolves true when the change succeeded. */
  run: (fn: () => Promise<unknown>, ok?: string) => Promise<boolean>
}

export function useList<T>(
  fetcher: (p: PageRequest) => Promise<ListResponse<T> | T[]>,
  opts: { filters?: unknown; paged?: boolean } = {},
): ListState<T> {
  const paged = opts.paged ?? false
  const filterKey = JSON.stringify(opts.filters ?? null)
  const [rows, setRows] = useState<T[]>([])
  const [total, setTotal] = useState(0)
  const [pos, setPos] = useState({ key: filterKey, page: 1, pageSize: 20 })
  const [sort, setSortState] = useState<ListSort>({})
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // The newest fetcher (it closes over the page's filters) without making every render a reload.
  const fetcherRef = useRef(fetcher)
  fetcherRef.current = fetcher
  const seq = useRef(0)
  // A new filter starts again at page 1.
  const page = pos.key === filterKey ? pos.page : 1
  const pageSize = pos.pageSize

  const reload = useCallback(async () => {
    const mine = ++seq.current
    setLoading(true)
    try {
      const r = await fetcherRef.current({ page, pageSize, sort })
      if (mine !== seq.current) return
      const list = Array.isArray(r) ? { data: r, total: r.length } : r
      setRows(list.data)
      setTotal(list.total)
      setError(null)
    } catch (e) {
      if (mine === seq.current) setError(errorMessage(e))
    } finally {
      if (mine === seq.current) setLoading(false)
    }
    // filterKey stands for what the fetcher closes over (read through a ref): a new filter is a new load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [page, pageSize, filterKey, sort])

  useEffect(() => {
    void reload()
  }, [reload])

  const setPage = useCallback(
    (p: number, s: number) => setPos({ key: filterKey, page: p, pageSize: s }),
    [filterKey],
  )
  const setSort = useCallback(
    (s: ListSort) => {
      setSortState(s)
      setPos((p) => ({ ...p, key: filterKey, page: 1 }))
    },
    [filterKey],
  )

  const run = useCallback(
    async (fn: () => Promise<unknown>, ok?: string) => {
      let done = false
      try {
        await fn()
        done = true
        if (ok) Message.success(ok)
      } catch (e) {
        Message.error(errorMessage(e))
      }
      await reload()
      return done
    },
    [reload],
  )

  return { rows, total, page, pageSize, paged, loading, error, setPage, sort, setSort, reload, run }
}

/** One server page of `url` with `params` (a change of them goes back to page 1), in the list's order. */
export function usePagedList<T>(url: string, params: Record<string, unknown>): ListState<T> {
  return useList(
    (p) =>
      getList<T>(url, {
        page: p.page,
        page_size: p.pageSize,
        sort_by: p.sort.by,
        sort_order: p.sort.order,
        ...params,
      }),
    { filters: [url, params], paged: true },
  )
}

/**
 * A date-and-time column wide enough for its text: without a width, a table that scrolls shares its width
 * evenly and the unbreakable timestamps ran over the next column (issue 19 defect 2).
 */
export function timeColumn<T>(
  title: string,
  dataIndex: keyof T & string,
  empty: ReactNode = '-',
): TableColumnProps<T> {
  return {
    title,
    dataIndex,
    width: 180,
    render: (v: string | null) => <span className="nowrap">{v ? dateTime(v) : empty}</span>,
  }
}

/**
 * A button that asks first (a row's delete, a bulk action). `row` buttons are small text buttons; with only an
 * `icon` the label becomes the accessible name.
 */
export function ConfirmButton(props: {
  title: ReactNode
  onOk: () => Promise<unknown>
  label: string
  icon?: ReactNode
  iconOnly?: boolean
  status?: ButtonProps['status']
  row?: boolean
  testId?: string
}) {
  return (
    <Popconfirm title={props.title} onOk={props.onOk}>
      <Button
        size={props.row ? 'mini' : 'small'}
        type={props.row ? 'text' : 'secondary'}
        status={props.status}
        icon={props.icon}
        aria-label={props.iconOnly ? props.label : undefined}
        data-testid={props.testId}
      >
        {props.iconOnly ? null : props.label}
      </Button>
    </Popconfirm>
  )
}

/** A row's delete button, asked first. */
export function DeleteButton(props: { title: ReactNode; onOk: () => Promise<unknown>; testId?: string }) {
  const { t } = useI18n()
  return (
    <ConfirmButton {...props} label={t('common.delete')} icon={<IconDelete />} iconOnly status="danger" row />
  )
}

/** A row's edit button. */
export function EditButton(props: { onClick: () => void; testId?: string }) {
  const { t } = useI18n()
  return (
    <Button
      size="mini"
      type="text"
      icon={<IconEdit />}
      onClick={props.onClick}
      aria-label={t('common.edit')}
      data-testid={props.testId}
    />
  )
}

/** A list's load error with a retry: shown instead of the table, never as its empty text (issue 19 defect 8). */
export function ListError({ list }: { list: Pick<ListState<unknown>, 'error' | 'reload'> }) {
  const { t } = useI18n()
  return (
    <Alert
      type="error"
      title={t('list.loadFailed')}
      content={list.error}
      action={
        <Button size="small" onClick={() => void list.reload()} data-testid="list-retry">
          {t('list.retry')}
        </Button>
      }
      data-testid="list-error"
    />
  )
}

export interface ListPageProps<T> {
  title: ReactNode
  /** Names the test ids: page-<testId>, and <testId>-table unless `tableTestId` says otherwise. */
  testId: string
  tableTestId?: string
  list: ListState<T>
  columns: TableColumnProps<T>[]
  rowKey: keyof T & string
  /** Filters and extra buttons, before the refresh button. */
  toolbar?: ReactNode
  create?: { label: ReactNode; onClick: () => void; testId?: string }
  /** The actions column: fixed on the right on wide screens, `width` wide enough for every button. */
  actions?: { width: number; render: (row: T) => ReactNode }
  /** Bulk actions for the selected rows; `clear` empties the selection. */
  bulk?: (selected: T[], clear: () => void) => ReactNode
  /** A row's details, opened under it by a named expand button at the row's start. */
  expand?: (row: T) => ReactNode
  /** Columns the server sorts by: a column's dataIndex to the server's sort key (see `list.setSort`). */
  sorts?: Record<string, string>
  size?: TableProps['size']
  /** Only these rows can be selected. */
  selectable?: (row: T) => boolean
  /** What an empty (successfully loaded) list says. */
  empty?: ReactNode
  /** The table's minimum width before it scrolls. */
  scrollX?: number
  /** Above the table (notices). */
  header?: ReactNode
  children?: ReactNode
}

/** How many rows a table that has the whole list shows per page. */
const CLIENT_PAGE_SIZE = 20

export function ListPage<T>(props: ListPageProps<T>) {
  const { t } = useI18n()
  const mobile = useIsMobile()
  const { list, actions, bulk, rowKey } = props
  const [selectedKeys, setSelectedKeys] = useState<(string | number)[]>([])
  const clear = useCallback(() => setSelectedKeys([]), [])
  const keyOf = (r: T) => r[rowKey] as unknown as string | number
  const selected = list.rows.filter((r) => selectedKeys.includes(keyOf(r)))
  // The page shown, for the select-all box: the server's page, or this table's own page of the whole list.
  const [clientPage, setClientPage] = useState(1)
  const shownPage = Math.min(clientPage, Math.max(1, Math.ceil(list.rows.length / CLIENT_PAGE_SIZE)))
  const shown = list.paged
    ? list.rows
    : list.rows.slice((shownPage - 1) * CLIENT_PAGE_SIZE, shownPage * CLIENT_PAGE_SIZE)
  const pageKeys = shown.filter((r) => !props.selectable || props.selectable(r)).map(keyOf)

  const sorts = props.sorts
  const order: 'ascend' | 'descend' = list.sort.order === 'asc' ? 'ascend' : 'descend'
  const own = sorts
    ? props.columns.map((c) => {
        const by = sorts[String(c.dataIndex)]
        return by ? { ...c, sorter: true, sortOrder: list.sort.by === by ? order : undefined } : c
      })
    : props.columns
  const columns: TableColumnProps<T>[] = actions
    ? [
        ...own,
        {
          title: t('common.actions'),
          key: 'actions',
          width: actions.width,
          fixed: mobile ? undefined : 'right',
          render: (_: unknown, r: T) => (
            <Space size={4} className="nowrap" style={{ flexWrap: 'nowrap' }}>
              {actions.render(r)}
            </Space>
          ),
        },
      ]
    : own

  return (
    <div className="page" data-testid={`page-${props.testId}`}>
      <div className="page-head">
        <h2>{props.title}</h2>
        <div className="toolbar">
          {props.toolbar}
          <Button
            icon={<IconRefresh />}
            onClick={() => void list.reload()}
            aria-label={t('common.refresh')}
            data-testid="list-refresh"
          />
          {props.create ? (
            <Button
              type="primary"
              icon={<IconPlus />}
              onClick={props.create.onClick}
              data-testid={props.create.testId}
            >
              {props.create.label}
            </Button>
          ) : null}
        </div>
      </div>
      {props.header}
      {bulk && selected.length > 0 ? (
        <div className="toolbar" data-testid="list-bulk-bar">
          <span>{t('list.selected', { count: selected.length })}</span>
          {bulk(selected, clear)}
          <Button size="small" type="text" onClick={clear}>
            {t('list.clearSelection')}
          </Button>
        </div>
      ) : null}
      <Card>
        {list.error ? (
          <ListError list={list} />
        ) : (
          <Table<T>
            rowKey={rowKey}
            loading={list.loading}
            columns={columns}
            data={list.rows}
            scroll={{ x: props.scrollX ?? 1000 }}
            border={false}
            size={props.size}
            onChange={(_p, sorter, _f, extra) => {
              if (!sorts || extra?.action !== 'sort') return
              const one = Array.isArray(sorter) ? sorter[0] : sorter
              const by = one?.direction ? sorts[String(one.field)] : undefined
              list.setSort(by ? { by, order: one?.direction === 'ascend' ? 'asc' : 'desc' } : {})
            }}
            expandedRowRender={props.expand}
            expandProps={props.expand ? { icon: expandIcon, width: 40 } : undefined}
            rowSelection={
              bulk
                ? {
                    type: 'checkbox',
                    selectedRowKeys: selectedKeys,
                    onChange: (keys) => setSelectedKeys(keys),
                    checkAll: false,
                    columnTitle: (
                      <SelectAllBox pageKeys={pageKeys} selected={selectedKeys} onChange={setSelectedKeys} />
                    ),
                    checkboxProps: (r: T) => ({
                      disabled: props.selectable ? !props.selectable(r) : false,
                      'aria-label': t('list.select'),
                    }),
                  }
                : undefined
            }
            pagination={
              list.paged
                ? {
                    current: list.page,
                    pageSize: list.pageSize,
                    total: list.total,
                    showTotal: true,
                    sizeCanChange: true,
                    hideOnSinglePage: list.total <= 20,
                    onChange: list.setPage,
                  }
                : {
                    pageSize: CLIENT_PAGE_SIZE,
                    current: shownPage,
                    onChange: setClientPage,
                    hideOnSinglePage: true,
                  }
            }
            noDataElement={<span className="muted">{props.empty ?? t('common.noData')}</span>}
            data-testid={props.tableTestId ?? `${props.testId}-table`}
          />
        )}
      </Card>
      {props.children}
    </div>
  )
}
