// The CLI's dispatch: finds the command by name among the lazily listed ones, loads only that one, and turns
// usage errors into exit code 2 with the usage text instead of a stack.
import { cliContext } from './context.js'
import { EXIT_OK, EXIT_USAGE, type CommandEntry } from '../core/command.js'
import type { PluginEntry } from '../plugins/plugin-entry.js'

export const CORE_COMMANDS: readonly CommandEntry[] = [
  { name: 'start', summary: 'start the sidecar proxy', load: () => import('./commands/start.js') },
  { name: 'check-config', summary: 'validate the config and print the effective config (secrets redacted)', load: () => import('./commands/check-config.js') },
  { name: 'doctor', summary: 'check the origin, Redis, MySQL and the fd limit', load: () => import('./commands/doctor.js') },
  { name: 'hash-password', summary: 'print an scrypt hash for admin.users[].passwordHash', load: () => import('./commands/hash-password.js') },
  { name: 'bench', summary: 'load-test a site: closed, open (--rate) or virtual-user (--users) model, thresholds, --compare', load: () => import('./commands/bench.js') }
]

/** The core's commands and every plugin's, in that order. */
export function commandList (plugins: readonly PluginEntry[]): readonly CommandEntry[] {
  return [...CORE_COMMANDS, ...plugins.flatMap(e => e.commands)]
}

function mainHelp (commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map(c => c.name.length))
  return [
    'Usage: sipup-sidecar <command> [options]',
    '',
    'A sidecar reverse proxy that adds caching, rate limiting, background jobs and DB advice in front of a legacy site.',
    '',
    'Commands:',
    ...commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sipup-sidecar <command> --help` for a command\'s options.'
  ].join('\n')
}

export interface CliOutput {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
}

/** `out` takes the CLI's own messages (help, usage errors); commands write where they write. */
export async function main (argv: string[], commands: readonly CommandEntry[],
  out: CliOutput = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...args] = argv
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    out.stdout.write(mainHelp(commands) + '\n')
    return name === undefined ? EXIT_USAGE : EXIT_OK
  }
  const entry = commands.find(c => c.name === name)
  if (entry === undefined) {
    out.stderr.write(`sipup-sidecar: unknown command '${name}'\n\n${mainHelp(commands)}\n`)
    return EXIT_USAGE
  }
  const { command } = await entry.load()
  if (args.includes('-h') || args.includes('--help')) {
    out.stdout.write(command.usage + '\n')
    return EXIT_OK
  }
  try {
    return await command.run(args, cliContext)
  } catch (err) {
    const e = err as Error & { code?: string }
    // parseArgs rejects unknown options with a clear message; show it with the usage, not a stack.
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      out.stderr.write(`sipup-sidecar ${name}: ${e.message}\n\n${command.usage}\n`)
      return EXIT_USAGE
    }
    throw err
  }
}
