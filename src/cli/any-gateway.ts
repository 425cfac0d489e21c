import { runCli } from './run-cli.ts'

/** The entry `bin/any-gateway.js` loads (with tsx, as `npm start` loads src/main.ts). */
// As the server (main.ts): whatever a command creates under DATA_DIR (database, secrets) is private.
process.umask(0o077)
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readStdin: async () => {
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  },
})
// Exit through process.exitCode so that what was written to a pipe is flushed first.
if (code !== null) process.exitCode = code
