import cluster from 'node:cluster'
import { runSidecar } from '../../run.js'
import { CONFIG_USAGE, loadConfigFromArgs } from '../config-args.js'
import { EXIT_USAGE, type Command } from '../../core/command.js'

export const command: Command = {
  name: 'start',
  summary: 'start the sidecar proxy',
  usage: `Usage: sipup-sidecar start [-c FILE]

Starts the proxy. The config is config/default.yaml merged with FILE (or $SIDECAR_CONFIG), then the
environment (SIDECAR_UPSTREAM, SIDECAR_PORT, SIDECAR_HOST, SIDECAR_LOG_LEVEL, SIDECAR_ADMIN_TOKEN, REDIS_URL, MYSQL_URL).
A bad config stops start-up with exit code 2. SIGTERM/SIGINT shut down gracefully.

${CONFIG_USAGE}`,
  async run (args) {
    const loaded = loadConfigFromArgs(args)
    if (loaded === null) return EXIT_USAGE
    const config = loaded.config
    if (cluster.isPrimary && config.server.workers !== 1) {
      // Loaded here only: a single-process start never pays for the cluster code.
      const { startWorkers, workerCount } = await import('../../cluster/start-workers.js')
      if (workerCount(config.server.workers) > 1) {
        await startWorkers(config)
        return await new Promise<number>(() => {})
      }
    }
    // A worker is restarted by its primary on SIGHUP, never by a hang-up sent to the whole process group.
    if (cluster.isWorker) process.on('SIGHUP', () => {})
    await runSidecar(config)
    // Keep running: the signal handlers decide the exit code.
    return await new Promise<number>(() => {})
  }
}
