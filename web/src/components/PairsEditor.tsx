import { Button, Input } from '@arco-design/web-react'
import { IconDelete, IconPlus } from '@arco-design/web-react/icon'
import { useI18n } from '../i18n/index.ts'

export interface Pair {
  from: string
  to: string
}

/** Problems of a from→to list: empty or duplicate keys, or an empty value. Returns the index and a message key. */
export function pairProblems(
  pairs: Pair[],
): { index: number; problem: 'emptyFrom' | 'duplicateFrom' | 'emptyTo' }[] {
  const seen = new Set<string>()
  const out: { index: number; problem: 'emptyFrom' | 'duplicateFrom' | 'emptyTo' }[] = []
  pairs.forEach((p, index) => {
    const from = p.from.trim()
    if (!from) out.push({ index, problem: 'emptyFrom' })
    else if (seen.has(from)) out.push({ index, problem: 'duplicateFrom' })
    else if (!p.to.trim()) out.push({ index, problem: 'emptyTo' })
    seen.add(from)
  })
  return out
}

export function pairsToRecord(pairs: Pair[]): Record<string, string> {
  return Object.fromEntries(pairs.filter((p) => p.from.trim()).map((p) => [p.from.trim(), p.to.trim()]))
}

export function recordToPairs(rec: Record<string, string> | undefined | null): Pair[] {
  return Object.entries(rec ?? {}).map(([from, to]) => ({ from, to }))
}

/** Rows of `from → to` (model mapping, extra headers). */
export function PairsEditor(props: {
  value: Pair[]
  onChange: (v: Pair[]) => void
  fromPlaceholder: string
  toPlaceholder: string
  addLabel: string
  testId?: string
  secretValues?: boolean
}) {
  const { t } = useI18n()
  const problems = pairProblems(props.value)
  const problemAt = (i: number) => problems.find((p) => p.index === i)
  // Secret values (header values that carry keys) are typed without being shown.
  const ToInput = props.secretValues ? Input.Password : Input
  const set = (i: number, patch: Partial<Pair>) =>
    props.onChange(props.value.map((p, j) => (j === i ? { ...p, ...patch } : p)))
  return (
    <div
      data-testid={props.testId}
      style={{ display: 'flex', flexDirection: 'column', gap: 6, width: '100%' }}
    >
      {props.value.map((p, i) => {
        const pr = problemAt(i)
        return (
          <div key={i}>
            <div style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
              <Input
                size="small"
                value={p.from}
                placeholder={props.fromPlaceholder}
                onChange={(v) => set(i, { from: v })}
                status={pr && pr.problem !== 'emptyTo' ? 'error' : undefined}
              />
              <span className="muted">→</span>
              <ToInput
                size="small"
                value={p.to}
                placeholder={props.toPlaceholder}
                onChange={(v) => set(i, { to: v })}
                status={pr?.problem === 'emptyTo' ? 'error' : undefined}
              />
              <Button
                size="small"
                type="text"
                status="danger"
                icon={<IconDelete />}
                onClick={() => props.onChange(props.value.filter((_, j) => j !== i))}
                aria-label={t('common.delete')}
              />
            </div>
            {pr ? (
              <div style={{ color: 'rgb(var(--danger-6))', fontSize: 12 }}>{t(`pairs.${pr.problem}`)}</div>
            ) : null}
          </div>
        )
      })}
      <Button
        size="small"
        type="dashed"
        icon={<IconPlus />}
        onClick={() => props.onChange([...props.value, { from: '', to: '' }])}
        long
      >
        {props.addLabel}
      </Button>
    </div>
  )
}
