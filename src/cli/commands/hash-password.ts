import { parseArgs } from 'node:util'
import { hashPassword } from '../../admin/password.js'
import { EXIT_OK, EXIT_USAGE, type Command } from '../../core/command.js'

async function readStdin (): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}

export const command: Command = {
  name: 'hash-password',
  summary: 'print an scrypt hash for admin.users[].passwordHash',
  usage: `Usage: sipup-sidecar hash-password [PASSWORD]

Prints an scrypt hash to put in admin.users[].passwordHash. Without PASSWORD, reads it from standard input
(so it stays out of your shell history): echo -n 's3cret' | sipup-sidecar hash-password`,
  async run (args) {
    const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true })
    const password = positionals[0] ?? await readStdin()
    if (password === '') {
      process.stderr.write('hash-password: expected a non-empty password\n')
      return EXIT_USAGE
    }
    process.stdout.write(`${await hashPassword(password)}\n`)
    return EXIT_OK
  }
}
