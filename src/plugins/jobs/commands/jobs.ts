// `sipup-sidecar jobs failed|retry|delete|stats`: the dead letter and the queues from a shell.
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { CONFIG_OPTION, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type WithSection } from '../../../core/command.js'
import type { JobsSection } from '../schema.js'
import { serviceFromConfig } from '../engine-from-config.js'
import type { JobsService } from '../service.js'

const USAGE = `Usage: sipup-sidecar jobs <command> [options] [ids...]

Commands:
  failed            list dead-lettered jobs, newest first (--limit N, --offset N)
  retry ID... | --all    put failed jobs back in their queue with a fresh retry budget
  delete ID... | --all   remove failed jobs for good
  stats             queue counts, dead-letter size, live workers

Options:
  -c, --config FILE   YAML config merged over the defaults
      --all           every failed job (retry, delete)
      --limit N       jobs to list (failed; default 50)
      --offset N      skip the N newest (failed)
      --json          print JSON instead of text
  -h, --help          this text`

async function runSub (service: JobsService, sub: string, ids: string[], v: { all?: boolean, limit?: string, offset?: string, json?: boolean }): Promise<number> {
  const out = (value: unknown, text: string): void => { process.stdout.write(v.json === true ? JSON.stringify(value, null, 2) + '\n' : text) }
  if (sub === 'failed') {
    const page = await service.store.listFailed(Number(v.limit ?? 50), Number(v.offset ?? 0))
    out(page, `${page.total} failed job(s)\n` + page.jobs.map(j => `${j.id}\t${j.name}\t${j.failedAt}\tattempts ${j.attempts}\t${j.error}\n`).join(''))
    return EXIT_OK
  }
  if (sub === 'stats') {
    const s = await service.store.stats(Date.now(), service.params.section.workerTtl)
    out(s, s.queues.map(q => `${q.queue.padEnd(7)} waiting ${q.waiting}  active ${q.active}  delayed ${q.delayed}  succeeded ${q.succeeded}  failed ${q.failed}  oldest ${Math.round(q.oldestWaitingSeconds)} s\n`).join('') +
      `dead letter ${s.deadLetter}\nworkers ${s.workers.length}${s.workers.map(w => `\n  ${w.id} (seen ${w.lastSeen})`).join('')}\n`)
    return EXIT_OK
  }
  if (sub === 'retry' || sub === 'delete') {
    if (v.all !== true && ids.length === 0) {
      process.stderr.write(`sipup-sidecar jobs ${sub}: give job ids or --all\n`)
      return EXIT_USAGE
    }
    if (sub === 'retry') {
      const done = v.all === true ? await service.store.retryAll() : await service.store.retry(ids)
      out({ retried: done.length, ids: done }, `retried ${done.length} job(s)${done.length > 0 ? `: ${done.join(' ')}` : ''}\n`)
      return v.all === true || done.length === ids.length ? EXIT_OK : EXIT_FAILURE
    }
    const n = v.all === true ? await service.store.removeAllFailed() : await service.store.remove(ids)
    out({ deleted: n }, `deleted ${n} job(s)\n`)
    return EXIT_OK
  }
  process.stderr.write(`sipup-sidecar jobs: unknown command '${sub}'\n\n${USAGE}\n`)
  return EXIT_USAGE
}

export const command: Command = {
  name: 'jobs',
  summary: 'list, retry and delete failed jobs; queue stats',
  usage: USAGE,
  async run (args, ctx) {
    const { values, positionals } = parseArgs({
      args,
      options: { ...CONFIG_OPTION, all: { type: 'boolean' }, limit: { type: 'string' }, offset: { type: 'string' }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true
    })
    const [sub, ...ids] = positionals
    if (sub === undefined) {
      process.stderr.write(USAGE + '\n')
      return EXIT_USAGE
    }
    for (const n of [values.limit, values.offset]) {
      if (n !== undefined && !/^\d+$/.test(n)) {
        process.stderr.write(`sipup-sidecar jobs: --limit/--offset expect a whole number, got '${n}'\n`)
        return EXIT_USAGE
      }
    }
    const loaded = await ctx.loadConfig(values.config)
    if (loaded === null) return EXIT_USAGE
    const config = loaded.config as WithSection<'jobs', JobsSection>
    const service = serviceFromConfig(config, config.jobs, new Registry(), pino({ level: 'silent' }))
    try {
      if (!await service.connect()) {
        process.stderr.write('sipup-sidecar jobs: Redis is not reachable (redis.url)\n')
        return EXIT_FAILURE
      }
      return await runSub(service, sub, ids, values)
    } finally {
      await service.close()
    }
  }
}
