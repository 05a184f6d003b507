#!/usr/bin/env node
// sipup-sidecar's command line. Subcommands live in src/cli/commands/; later capabilities add theirs to COMMANDS.
import { bench } from './commands/bench.js'
import { checkConfig } from './commands/check-config.js'
import { doctor } from './commands/doctor.js'
import { hashPasswordCommand } from './commands/hash-password.js'
import { start } from './commands/start.js'
import { dbCommand } from '../plugins/db/commands/db.js'
import { EXIT_OK, EXIT_USAGE, type Command } from './command.js'

const COMMANDS: readonly Command[] = [start, checkConfig, doctor, hashPasswordCommand, bench, dbCommand]

function mainHelp (): string {
  const width = Math.max(...COMMANDS.map(c => c.name.length))
  return [
    'Usage: sipup-sidecar <command> [options]',
    '',
    'A sidecar reverse proxy that adds caching, rate limiting and metrics in front of a legacy site.',
    '',
    'Commands:',
    ...COMMANDS.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sipup-sidecar <command> --help` for a command\'s options.'
  ].join('\n')
}

export async function main (argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(mainHelp() + '\n')
    return name === undefined ? EXIT_USAGE : EXIT_OK
  }
  const command = COMMANDS.find(c => c.name === name)
  if (command === undefined) {
    process.stderr.write(`sipup-sidecar: unknown command '${name}'\n\n${mainHelp()}\n`)
    return EXIT_USAGE
  }
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(command.usage + '\n')
    return EXIT_OK
  }
  try {
    return await command.run(args)
  } catch (err) {
    const e = err as Error & { code?: string }
    // parseArgs rejects unknown options with a clear message; show it with the usage, not a stack.
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`sipup-sidecar ${name}: ${e.message}\n\n${command.usage}\n`)
      return EXIT_USAGE
    }
    throw err
  }
}

main(process.argv.slice(2)).then(code => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`sipup-sidecar: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
