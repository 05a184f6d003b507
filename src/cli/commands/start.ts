import cluster from 'node:cluster'
import { CONFIG_USAGE, loadConfigFromArgs } from '../config-args.js'
import { EXIT_FAILURE, EXIT_USAGE, type Command } from '../../core/command.js'

/** Codes of errors that mean the config is wrong (exit 2), as opposed to the machine (a busy port: exit 1). */
const CONFIG_CODE = /^SIPUP_ERR_(CONFIG_\w+|\w+_CONFIG|\w+_RULE_INVALID|ROUTE_GROUP_INVALID)$/

export const command: Command = {
  name: 'start',
  summary: 'start the sidecar proxy',
  usage: `Usage: sipup-sidecar start [-c FILE]

Starts the proxy. The config is config/default.yaml merged with FILE (or $SIDECAR_CONFIG), then the
environment (SIDECAR_UPSTREAM, SIDECAR_PORT, SIDECAR_HOST, SIDECAR_LOG_LEVEL, SIDECAR_ADMIN_TOKEN, REDIS_URL, MYSQL_URL).
A bad config stops start-up with exit code 2. SIGTERM/SIGINT shut down gracefully.

${CONFIG_USAGE}`,
  async run (args) {
    const loaded = await loadConfigFromArgs(args)
    if (loaded === null) return EXIT_USAGE
    const config = loaded.config
    // Loaded once the config has passed: a refused config exits without loading Fastify and every plugin (about
    // 0.2 s of CPU, half of such a start).
    const { runSidecar } = await import('../../run.js')
    try {
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
    } catch (err) {
      // buildApp closed what it opened (Redis, MySQL); say why in one line, never a stack, and exit.
      const e = err as Error & { code?: unknown }
      const code = typeof e.code === 'string' ? e.code : ''
      process.stderr.write(`sipup-sidecar start: ${e.message}${code === '' ? '' : ` (${code})`}\n`)
      return CONFIG_CODE.test(code) ? EXIT_USAGE : EXIT_FAILURE
    }
    // Keep running: the signal handlers decide the exit code.
    return await new Promise<number>(() => {})
  }
}
