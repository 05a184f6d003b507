// The shape of a CLI subcommand, part of the plugin contract: core commands live in src/cli/commands/<name>.ts, plugin
// commands in their plugin's folder; both are listed lazily (name, summary, load), so `--help` loads no command module.
// A command gets the config loader and the worker runner from the CLI (CommandContext) instead of importing them:
// both belong to the composition, which lists the commands, so an import would close a circle.
import type { CoreConfig } from '../config/core-schema.js'
import type { LoadedConfig } from '../config/load.js'

/** The validated config as a command sees it: the core's sections typed; every plugin's section was validated by its
 * schema too, and a command reads its own through the type of that schema (`config as WithSection<'cache', ...>`). */
export type CommandConfig = CoreConfig & { readonly [section: string]: unknown }

/** `CommandConfig` with a plugin's own section typed. */
export type WithSection<K extends string, S> = CoreConfig & { readonly [P in K]: S }

/** `-c/--config FILE`, for node:util parseArgs. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const

/** The options block of every command that takes a config. */
export const CONFIG_USAGE = `Options:
  -c, --config FILE   YAML config merged over the defaults
  -h, --help          this text`

export interface CommandContext {
  /** Loads `file` (or $SIDECAR_CONFIG) over the defaults and runs every check start-up runs; null after printing the
   * problems (one line each) on `stderr`. */
  loadConfig(file: string | undefined, stderr?: NodeJS.WritableStream): Promise<LoadedConfig<CommandConfig> | null>
  /** Runs a worker-role process of this config (no listener) until a signal stops it. */
  runWorker(config: CommandConfig): Promise<void>
}

export interface Command {
  name: string
  /** One line for `sipup-sidecar --help`. */
  summary: string
  /** Full `--help` text of the command. */
  usage: string
  /** Returns the process exit code. */
  run(args: string[], ctx: CommandContext): Promise<number>
}

/** A command as the CLI lists it before loading it. */
export interface CommandEntry {
  name: string
  summary: string
  load(): Promise<{ command: Command }>
}

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
/** Bad usage or bad config: nothing was started. */
export const EXIT_USAGE = 2
