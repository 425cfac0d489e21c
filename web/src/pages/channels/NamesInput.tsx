import { Input, Tag } from '@arco-design/web-react'

/** Splits typed text into names at commas, spaces and new lines. */
export function splitNames(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

/** `value` plus the names still being typed (not yet committed with Enter), without duplicates. */
export function withPending(value: string[], pending: string): string[] {
  return [...new Set([...value, ...splitNames(pending)])]
}

/**
 * A list of names typed into a plain input: Enter, comma or space commits what was typed. The text is React
 * state cleared in the same update that commits it, so fast typing after Enter starts a new name instead of
 * joining the last one (issue 19 #5: "gpt-4o-minigpt-4o" with a select's own input). What is still typed when the
 * form is saved is the caller's to add (`pending`, see `withPending`): a name not committed is not dropped.
 */
export function NamesInput(props: {
  value?: string[]
  onChange?: (v: string[]) => void
  pending: string
  onPendingChange: (text: string) => void
  placeholder?: string
  testId: string
}) {
  const value = props.value ?? []
  const commit = (text: string) => {
    const next = withPending(value, text)
    props.onPendingChange('')
    if (next.length !== value.length) props.onChange?.(next)
  }
  return (
    <div>
      <Input
        value={props.pending}
        placeholder={props.placeholder}
        data-testid={props.testId}
        onChange={(text) => {
          // A separator typed (or pasted) commits everything before it; the rest stays being typed.
          const m = /^(.*)[\s,]([^\s,]*)$/s.exec(text)
          if (m && splitNames(m[1]).length > 0) {
            props.onChange?.(withPending(value, m[1]))
            props.onPendingChange(m[2])
          } else props.onPendingChange(text.replace(/^[\s,]+/, ''))
        }}
        onPressEnter={(e) => {
          e.preventDefault()
          commit(props.pending)
        }}
      />
      {value.length > 0 ? (
        <div className="toolbar" style={{ marginTop: 6 }} data-testid={`${props.testId}-list`}>
          {value.map((m) => (
            <Tag key={m} closable onClose={() => props.onChange?.(value.filter((x) => x !== m))}>
              {m}
            </Tag>
          ))}
        </div>
      ) : null}
    </div>
  )
}
