// `-c/--config FILE` handling and config loading shared by the commands; a bad config prints one line per problem
// and yields exit code 2.
import { parseArgs } from 'node:util'
import { loadConfig, type LoadedConfig } from '../config/load.js'

export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const

/** The options block of every command that takes a config. */
export const CONFIG_USAGE = `Options:
  -c, --config FILE   YAML config merged over the defaults
  -h, --help          this text`

export function isConfigError (err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SIPUP_ERR_CONFIG')
}

/** Loads the config or prints why it can't and returns null. */
export function loadConfigOrReport (file: string | undefined, stderr: NodeJS.WritableStream = process.stderr): LoadedConfig | null {
  try {
    return loadConfig({ file })
  } catch (err) {
    if (!isConfigError(err)) throw err
    const e = err as Error & { code: string, issues?: { source: string, path: string, message: string }[] }
    if (e.code === 'SIPUP_ERR_CONFIG_INVALID' && Array.isArray(e.issues)) {
      for (const i of e.issues) stderr.write(`${i.source}: ${i.path}: ${i.message}\n`)
    } else {
      stderr.write(`${e.message}\n`)
    }
    return null
  }
}

/** Parses `[-c FILE]` and loads the config; null (after printing why) when the config is bad. */
export function loadConfigFromArgs (args: string[]): LoadedConfig | null {
  const { values } = parseArgs({ args, options: CONFIG_OPTION, strict: true })
  return loadConfigOrReport(values.config)
}
