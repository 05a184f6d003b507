// The CommandContext the CLI hands every command: the composed config loader and the worker runner, each loaded on
// first use (so `--help` and commands that need neither load no schema compiler and no Fastify).
import type { CommandConfig, CommandContext } from '../core/command.js'
import type { FrozenConfig } from '../sidecar-config.js'

export const cliContext: CommandContext = {
  async loadConfig (file, stderr) {
    const { loadConfigOrReport } = await import('./config-args.js')
    return await loadConfigOrReport(file, stderr)
  },
  async runWorker (config: CommandConfig) {
    const { runWorker } = await import('../run.js')
    // Every CommandConfig the CLI hands out came from loadConfig above: the whole composed config.
    await runWorker(config as FrozenConfig)
  }
}
