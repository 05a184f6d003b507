// `sipup-sidecar worker -c FILE`: the job workers in a process of their own, the core's worker role (the plugins of
// that role, no proxy, no listener). SIGTERM or SIGINT stop claiming, let running jobs finish within
// jobs.shutdownTimeout, then exit; a second signal exits now.
import { parseArgs } from 'node:util'
import { CONFIG_OPTION, CONFIG_USAGE, EXIT_USAGE, type Command, type WithSection } from '../../../core/command.js'
import type { JobsSection } from '../schema.js'

export const command: Command = {
  name: 'worker',
  summary: 'run the background job workers (no proxy)',
  usage: `Usage: sipup-sidecar worker [-c FILE]

Runs the workers of the job types in jobs.types (and the schedules in jobs.schedules) in this process, with
jobs.concurrency slots. Start as many as you like, on as many machines: they share the queues in Redis, and each
schedule tick runs once across all of them. SIGTERM/SIGINT finish running jobs within jobs.shutdownTimeout,
hand the rest back, and exit. With metrics.port set, the worker serves its own metrics there.

${CONFIG_USAGE}`,
  async run (args, ctx) {
    const { values } = parseArgs({ args, options: CONFIG_OPTION, strict: true })
    const loaded = await ctx.loadConfig(values.config)
    if (loaded === null) return EXIT_USAGE
    const config = loaded.config as WithSection<'jobs', JobsSection>
    if (!config.jobs.enabled) {
      process.stderr.write('sipup-sidecar worker: jobs.enabled is false in the config: nothing to run\n')
      return EXIT_USAGE
    }
    if (!config.redis.enabled && config.jobs.redis.url === '') {
      process.stderr.write('sipup-sidecar worker: redis.enabled is false and jobs.redis.url is empty: jobs live in Redis\n')
      return EXIT_USAGE
    }
    await ctx.runWorker(config)
    // Keep running: the signal handlers decide the exit code.
    return await new Promise<number>(() => {})
  }
}
