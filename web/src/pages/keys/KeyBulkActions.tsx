import { api } from '../../api/client.ts'
import type { ApiKey } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { ConfirmButton, type ListState } from '../../components/ListPage.tsx'

/** Freeze or delete the selected keys: the owner's (`/user/tokens`) or, for an administrator, anyone's. */
export function KeyBulkActions(props: {
  base: '/user/tokens' | '/admin/tokens'
  selected: ApiKey[]
  clear: () => void
  list: ListState<ApiKey>
  testId: string
  deleteLabel?: string
  /** After each key is deleted (the owner forgets its remembered plaintext). */
  onDeleted?: (id: string) => void
}) {
  const { t } = useI18n()
  const { base, selected, clear, list } = props
  return (
    <>
      <ConfirmButton
        title={t('keys.bulkFreezeConfirm', { count: selected.length })}
        onOk={() =>
          list
            .run(
              () => Promise.all(selected.map((r) => api.post(`${base}/${r.id}/freeze`, { frozen: true }))),
              t('keys.frozen'),
            )
            .then(clear)
        }
        label={t('keys.freeze')}
        status="warning"
        testId={`${props.testId}-bulk-freeze`}
      />
      <ConfirmButton
        title={t('keys.bulkDeleteConfirm', { count: selected.length })}
        onOk={() =>
          list
            .run(async () => {
              for (const r of selected) {
                await api.delete(`${base}/${r.id}`)
                props.onDeleted?.(r.id)
              }
            }, t('common.deleted'))
            .then(clear)
        }
        label={props.deleteLabel ?? t('common.delete')}
        status="danger"
        testId={`${props.testId}-bulk-delete`}
      />
    </>
  )
}
