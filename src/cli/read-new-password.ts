import { randomBytes } from 'node:crypto'
import { CliUsageError, stringOption, type CliIo, type CliOptions, type CliValues } from './cli-command.ts'

export const passwordOptions: CliOptions = {
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
}

export const passwordDetails = [
  '--password-stdin      read the password from standard input (one line; preferred: not in ps or history)',
  '--password <p>        the password on the command line (visible to other local users while it runs)',
  '                      with neither, a random password is generated and printed once',
]

/** The password the operator chose, or a generated one (then returned so it can be shown once). */
export async function readNewPassword(
  values: CliValues,
  io: CliIo,
): Promise<{ password: string; generated: boolean }> {
  const given = stringOption(values, 'password')
  if (values['password-stdin'] === true) {
    if (given !== undefined) throw new CliUsageError('give --password or --password-stdin, not both')
    const password = (await io.readStdin()).replace(/\r?\n$/, '')
    if (password === '') throw new CliUsageError('standard input held no password')
    return { password, generated: false }
  }
  if (given !== undefined) return { password: given, generated: false }
  return { password: randomBytes(18).toString('base64url'), generated: true }
}
