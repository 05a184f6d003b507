// The shape of a CLI subcommand, part of the plugin contract: core commands live in src/cli/commands/<name>.ts, plugin
// commands in their plugin's folder; both are listed lazily (name, summary, load), so `--help` loads no command module.
export interface Command {
  name: string
  /** One line for `sipup-sidecar --help`. */
  summary: string
  /** Full `--help` text of the command. */
  usage: string
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>
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
