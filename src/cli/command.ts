// The shape of a CLI subcommand. Each lives in src/cli/commands/<name>.ts and is listed in src/cli/index.ts.
export interface Command {
  name: string
  /** One line for `sipup-sidecar --help`. */
  summary: string
  /** Full `--help` text of the command. */
  usage: string
  /** Returns the process exit code. */
  run(args: string[]): Promise<number>
}

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
/** Bad usage or bad config: nothing was started. */
export const EXIT_USAGE = 2
