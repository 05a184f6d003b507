// The argument handling every `<command> <subcommand> [args] [options]` CLI command shares (cache, limits, db): one
// place that turns a bad option, `--help` and a missing or unknown subcommand into the same words and exit codes.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { EXIT_OK, EXIT_USAGE } from './command.js'

/** A command's output streams, injectable so tests read what it prints. */
export interface CommandIo {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
}

type Options = NonNullable<ParseArgsConfig['options']>
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O, strict: true, allowPositionals: true }>>['values']

export interface Subcommand<O extends Options, S extends string> {
  values: Values<O>
  sub: S
  /** The positionals after the subcommand. */
  rest: string[]
}

export interface SubcommandSpec<S extends string> {
  /** The command's name, as the errors name it (`unknown <name> command 'x'`). */
  name: string
  usage: string
  subcommands: readonly S[]
}

/** Parses `args` strictly; on `--help`, a bad option or a missing/unknown subcommand prints why (with the usage) and
 * returns the exit code instead. `options` must have `help` (boolean) for `--help` to be recognised. */
export function parseSubcommand<O extends Options, S extends string> (args: string[], options: O, spec: SubcommandSpec<S>, io: CommandIo): Subcommand<O, S> | number {
  let parsed
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true })
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${spec.usage}\n`)
    return EXIT_USAGE
  }
  const { values, positionals } = parsed
  if ((values as Record<string, unknown>).help === true) {
    io.stdout.write(spec.usage + '\n')
    return EXIT_OK
  }
  const [sub, ...rest] = positionals
  if (sub === undefined || !(spec.subcommands as readonly string[]).includes(sub)) {
    io.stderr.write(`${sub === undefined ? 'missing command' : `unknown ${spec.name} command '${sub}'`}\n\n${spec.usage}\n`)
    return EXIT_USAGE
  }
  return { values, sub: sub as S, rest }
}
