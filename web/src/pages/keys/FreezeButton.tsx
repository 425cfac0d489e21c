import { api } from '../../api/client.ts'
import type { ApiKey } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { ConfirmButton, type ListState } from '../../components/ListPage.tsx'

/** A key row's freeze or unfreeze, asked first: the owner's (`/user/tokens`) or, for an administrator, anyone's. */
export function FreezeButton(props: {
  base: '/user/tokens' | '/admin/tokens'
  row: ApiKey
  list: ListState<ApiKey>
  testId: string
}) {
  const { t } = useI18n()
  const { row, list } = props
  const path = `${props.base}/${row.id}/freeze`
  // An unfreeze is a PATCH, a freeze a POST: the two routes of the key API.
  const frozen = row.frozen
  return (
    <ConfirmButton
      title={t(frozen ? 'keys.unfreezeConfirm' : 'keys.freezeConfirm')}
      onOk={() =>
        list.run(
          () => (frozen ? api.patch(path, { frozen: false }) : api.post(path, { frozen: true })),
          t(frozen ? 'keys.unfrozen' : 'keys.frozen'),
        )
      }
      label={t(frozen ? 'keys.unfreeze' : 'keys.freeze')}
      status={frozen ? 'success' : 'warning'}
      row
      testId={`${props.testId}-${frozen ? 'unfreeze' : 'freeze'}-${row.id}`}
    />
  )
}
