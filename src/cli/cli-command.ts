import type { ParseArgsConfig } from 'node:util'

/** What a command may touch besides the database: the process's environment, folder and streams. */
export interface CliIo {
  env: Record<string, string | undefined>
  cwd: string
  stdout(text: string): void
  stderr(text: string): void
  /** The whole of standard input (for `--password-stdin`). */
  readStdin(): Promise<string>
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>
export type CliValues = Record<string, string | boolean | string[] | boolean[] | undefined>

export interface CliArgs {
  values: CliValues
  positionals: string[]
}

/** What a command found or did: `data` for `--json`, `text` for people; a non-zero `exitCode` reports failure. */
export interface CliResult {
  data: unknown
  text: string
  exitCode?: number
}

export interface CliCommand {
  /** One or two words, as typed: `migrate`, `user create`. */
  name: string
  summary: string
  /** Arguments after the name, e.g. `<username> [--role user|admin|superadmin]`. */
  usage: string
  /** Lines describing each argument and option. */
  details: string[]
  options: CliOptions
  /** How many positional arguments the command takes (exactly). */
  positionals: number
  /** null: the command keeps running (`start`) and prints nothing itself. */
  run(args: CliArgs, io: CliIo): Promise<CliResult | null>
}

/** A mistake in how the command was called: exit code 2 and the command's usage. */
export class CliUsageError extends Error {}

export function stringOption(values: CliValues, name: string): string | undefined {
  const v = values[name]
  return typeof v === 'string' ? v : undefined
}

export function requireOption(values: CliValues, name: string): string {
  const v = stringOption(values, name)
  if (v === undefined || v === '') throw new CliUsageError(`--${name} is required`)
  return v
}

/** A USD amount as typed (`12.5`), or `unlimited` for no limit. */
export function parseUsd(text: string, what: string, allowUnlimited: boolean): number | null {
  if (allowUnlimited && /^(unlimited|none|null)$/i.test(text)) return null
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new CliUsageError(
      `${what} must be a non-negative USD amount such as 12.50${allowUnlimited ? ' or "unlimited"' : ''}`,
    )
  }
  return Number(text)
}
