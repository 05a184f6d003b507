// `-c/--config FILE` handling and config loading shared by the commands; a bad config prints one line per problem
// and yields exit code 2.
import { parseArgs } from 'node:util'
import { CONFIG_OPTION } from '../core/command.js'
import { SIPUP_ERR_CONFIG_FILE, SIPUP_ERR_CONFIG_INVALID, SIPUP_ERR_CONFIG_YAML } from '../errors.js'
import type { LoadedConfig } from '../config/load.js'
import { checkConfig, loadConfig, type FrozenConfig } from '../sidecar-config.js'

export { CONFIG_OPTION, CONFIG_USAGE } from '../core/command.js'

const CONFIG_CODES: ReadonlySet<unknown> = new Set([SIPUP_ERR_CONFIG_INVALID.code, SIPUP_ERR_CONFIG_FILE.code, SIPUP_ERR_CONFIG_YAML.code])

export function isConfigError (err: unknown): err is Error & { code: string } {
  return CONFIG_CODES.has((err as { code?: unknown } | null)?.code)
}

/** Loads the config and runs start-up's checks on it, or prints why it can't and returns null. */
export async function loadConfigOrReport (file: string | undefined, stderr: NodeJS.WritableStream = process.stderr): Promise<LoadedConfig<FrozenConfig> | null> {
  try {
    const loaded = loadConfig({ file })
    await checkConfig(loaded)
    return loaded
  } catch (err) {
    if (!isConfigError(err)) throw err
    const e = err as Error & { code: string, issues?: { source: string, path: string, message: string }[] }
    if (e.code === SIPUP_ERR_CONFIG_INVALID.code && Array.isArray(e.issues)) {
      for (const i of e.issues) stderr.write(`${i.source}: ${i.path}: ${i.message}\n`)
    } else {
      stderr.write(`${e.message}\n`)
    }
    return null
  }
}

/** Parses `[-c FILE]` and loads the config; null (after printing why) when the config is bad. */
export async function loadConfigFromArgs (args: string[]): Promise<LoadedConfig<FrozenConfig> | null> {
  const { values } = parseArgs({ args, options: CONFIG_OPTION, strict: true })
  return await loadConfigOrReport(values.config)
}
