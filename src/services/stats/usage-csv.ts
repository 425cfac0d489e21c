import type { UsageBucket } from './usage-stats.ts'

/** Exact decimal USD of a nano-USD amount: 1234567891n → "1.234567891", 1500000000n → "1.5". */
export function formatNanoUsd(nano: bigint): string {
  const negative = nano < 0n
  const abs = negative ? -nano : nano
  const whole = abs / 1_000_000_000n
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`
}

/**
 * One CSV cell (RFC 4180 quoting). Text that a spreadsheet would run as a formula — starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return — is prefixed with `'` so it stays text.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The usage buckets as CSV; the username column only when `withUser` (the admin export). */
export function usageCsv(rows: UsageBucket[], withUser: boolean): string {
  const header = [
    'date',
    ...(withUser ? ['username'] : []),
    'model',
    'request_count',
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_write_tokens',
    'cost_usd',
  ]
  const lines = [header.join(',')]
  for (const r of rows) {
    const cells: (string | number | null | undefined)[] = [
      r.date,
      ...(withUser ? [r.username] : []),
      r.model ?? '',
      r.request_count,
      r.input_tokens,
      r.output_tokens,
      r.cache_read_tokens,
      r.cache_write_tokens,
      formatNanoUsd(r.cost_nano),
    ]
    lines.push(cells.map(csvCell).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}
