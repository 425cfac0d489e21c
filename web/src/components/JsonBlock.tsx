import { CopyButton } from './CopyButton.tsx'

export function prettyJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2)
    } catch {
      return value
    }
  }
  try {
    return JSON.stringify(value, null, 2) ?? ''
  } catch {
    return String(value)
  }
}

export function JsonBlock({ value, maxHeight = 360 }: { value: unknown; maxHeight?: number }) {
  const text = prettyJson(value)
  return (
    <div className="json-block">
      <div className="json-block-copy">
        <CopyButton text={text} />
      </div>
      <pre style={{ maxHeight }} tabIndex={0}>
        {text}
      </pre>
    </div>
  )
}
