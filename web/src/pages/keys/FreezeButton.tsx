import { api } from '../../api/client.ts'
import type { Token } from '../../api/types.ts'
import { useI18n } from '../../i18n/index.ts'
import { ConfirmButton, type ListState } from '../../components/ListPage.tsx'

/** A key row's freeze or unfreeze, asked first: the owner's (`/user/tokens`) or, for an administrator, anyone's. */
export function FreezeButton(props: {
  base: '/user/tokens' | '/admin/tokens'
  row: Token
  list: ListState<Token>
  testId: string
}) {
  const { t } = useI18n()
  const { row, list } = props
  const path = `${props.base}/${row.id}/freeze`
  return row.frozen ? (
    <ConfirmButton
      title={t('keys.unfreezeConfirm')}
      onOk={() => list.run(() => api.patch(path, { frozen: false }), t('keys.unfrozen'))}
      label={t('keys.unfreeze')}
      status="success"
      row
      testId={`${props.testId}-unfreeze-${row.id}`}
    />
  ) : (
    <ConfirmButton
      title={t('keys.freezeConfirm')}
      onOk={() => list.run(() => api.post(path, { frozen: true }), t('keys.frozen'))}
      label={t('keys.freeze')}
      status="warning"
      row
      testId={`${props.testId}-freeze-${row.id}`}
    />
  )
}
