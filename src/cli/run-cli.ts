import { parseArgs } from 'node:util'
import { ZodError } from 'zod'
import { ConfigError } from '../config/load-config.ts'
import { AppError } from '../domain/errors.ts'
import { CliUsageError, type CliCommand, type CliIo, type CliResult } from './cli-command.ts'
import { cliCommands } from './cli-commands.ts'

const GLOBAL_HELP = `Usage: any-gateway <command> [arguments] [--json] [--help]

Admin tasks on the gateway's database. Every command reads the same environment as the server (DATA_DIR,
DATABASE_URL, secrets, a .env file in the current folder), prints JSON with --json, and exits non-zero on
failure (1: it failed or found differences; 2: it was called wrongly).

Commands:
`

function globalHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length))
  return (
    GLOBAL_HELP +
    commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n') +
    '\n\nany-gateway <command> --help describes a command.\n'
  )
}

export function commandHelp(command: CliCommand): string {
  const lines = [
    `Usage: any-gateway ${command.name}${command.usage ? ` ${command.usage}` : ''} [--json]`,
    '',
    command.summary,
  ]
  if (command.details.length > 0) lines.push('', ...command.details.map((d) => `  ${d}`))
  return lines.join('\n') + '\n'
}

/** The longest command name the arguments start with (`user create` before `user`). */
function findCommand(argv: readonly string[], commands: readonly CliCommand[]) {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ')
    const command = commands.find((c) => c.name === name)
    if (command) return { command, rest: argv.slice(words) }
  }
  return null
}

function toJson(data: unknown): string {
  return JSON.stringify(data, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)
}

function describeError(err: unknown): string {
  if (err instanceof ZodError) {
    return err.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ')
  }
  if (err instanceof Error) return err.message
  return String(err)
}

/**
 * Runs one command line and returns the exit code (null: the command keeps the process running, `start`).
 * Usage mistakes exit 2 with the command's usage; failures exit 1 with one line on stderr (a JSON object with
 * `--json`); a stack trace only with ANY_GATEWAY_DEBUG=1.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[] = cliCommands,
): Promise<number | null> {
  const json = argv.includes('--json')
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(globalHelp(commands))
    return argv.length === 0 ? 2 : 0
  }
  const found = findCommand(argv, commands)
  if (!found) {
    io.stderr(`any-gateway: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${globalHelp(commands)}`)
    return 2
  }
  const { command, rest } = found
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandHelp(command))
    return 0
  }
  let result: CliResult | null
  try {
    let parsed
    try {
      parsed = parseArgs({
        args: [...rest],
        options: { ...command.options, json: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      })
    } catch (err) {
      throw new CliUsageError((err as Error).message)
    }
    if (parsed.positionals.length !== command.positionals) {
      throw new CliUsageError(
        `expected ${command.positionals} argument(s), got ${parsed.positionals.length}: ${command.usage}`,
      )
    }
    result = await command.run({ values: parsed.values, positionals: parsed.positionals }, io)
  } catch (err) {
    const usage = err instanceof CliUsageError
    const message = describeError(err)
    const code =
      err instanceof AppError ? err.code : usage ? 'usage' : err instanceof ConfigError ? 'config' : 'error'
    if (json) io.stderr(toJson({ ok: false, error: { code, message } }) + '\n')
    else io.stderr(`any-gateway ${command.name}: ${message}\n`)
    if (usage && !json) io.stderr(`\n${commandHelp(command)}`)
    if (io.env.ANY_GATEWAY_DEBUG === '1' && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`)
    return usage ? 2 : 1
  }
  if (result === null) return null
  io.stdout(json ? toJson(result.data) + '\n' : result.text.endsWith('\n') ? result.text : `${result.text}\n`)
  return result.exitCode ?? 0
}
