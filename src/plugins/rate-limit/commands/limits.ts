// `sipup-sidecar limits`: the bans the rate limiter keeps, from a shell, without a running proxy. Reads and lifts
// them in Redis through the container's connection (the proxy's own store, same key prefix); the running instances
// stop answering a lifted ban within BAN_RECHECK_MS. With `rateLimit.store: memory` the bans live inside each
// proxy process, out of this command's reach: it says so and points at the admin API.
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command } from '../../../core/command.js'
import { createContainer, type SidecarContainer } from '../../../core/container.js'
import { CONFIG_OPTION, loadConfigOrReport } from '../../../cli/config-args.js'
import { SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND, SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE } from '../../../errors.js'
import { BanAdmin } from '../ban-admin.js'
import { RedisStore } from '../redis-store.js'

const USAGE = `Usage: sipup-sidecar limits <command> [options] [-c FILE]

The rate limiter's bans (rateLimit.bans): who is banned, for how long, and lifting a ban early.

Commands:
  bans [--json]     List the bans in force (client, time left, end).
  unban IP          Lift the ban of IP (an IPv6 address lifts the ban of its /rateLimit.ipv6Subnet network).
                    Running sidecars stop refusing it within 5 s.

Options:
  -c, --config FILE   YAML config merged over the defaults (redis.*, rateLimit.*)
      --json          print the result as JSON
  -h, --help          this text

Bans are read from Redis (rateLimit.store: redis). With store: memory they live in each proxy process: use the
dashboard's Bans panel or GET/DELETE <admin.prefix>/api/rate-limit/bans[/IP] on each instance.

Exit codes: 0 done, 1 no such ban or Redis unreachable, 2 bad usage or config.`

export interface Io {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
}

const OPTIONS = { ...CONFIG_OPTION, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

/** `1h 2m 3s`: time left, to the second. */
function left (ms: number): string {
  let s = Math.ceil(ms / 1000)
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  return [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 || (h === 0 && m === 0) ? `${s}s` : ''].filter(Boolean).join(' ')
}

function coded (err: unknown): err is Error & { code: string } {
  return typeof (err as { code?: unknown } | null)?.code === 'string' && String((err as { code: string }).code).startsWith('SIPUP_ERR_')
}

/** The command with its output streams injectable (tests). */
export async function runLimits (args: string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true })
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`)
    return EXIT_USAGE
  }
  const { values, positionals } = parsed
  if (values.help === true) { io.stdout.write(USAGE + '\n'); return EXIT_OK }
  const [sub, ...rest] = positionals
  if (sub !== 'bans' && sub !== 'unban') {
    io.stderr.write(`${sub === undefined ? 'missing command' : `unknown limits command '${sub}'`}\n\n${USAGE}\n`)
    return EXIT_USAGE
  }
  if ((sub === 'bans' && rest.length > 0) || (sub === 'unban' && rest.length !== 1)) {
    io.stderr.write(sub === 'bans' ? `limits bans takes no arguments, got '${rest.join(' ')}'\n` : 'limits unban takes one address\n')
    return EXIT_USAGE
  }
  const loaded = loadConfigOrReport(values.config, io.stderr)
  if (loaded === null) return EXIT_USAGE
  const config = loaded.config
  const rl = config.rateLimit
  if (rl.store === 'memory' || !config.redis.enabled) {
    io.stderr.write(`sipup-sidecar limits ${sub}: bans are kept in each proxy's memory (${rl.store === 'memory' ? 'rateLimit.store: memory' : 'redis.enabled: false'}), ` +
      `out of reach of this command: use the dashboard's Bans panel or ${config.admin.prefix}/api/rate-limit/bans on each instance\n`)
    return EXIT_USAGE
  }
  let container: SidecarContainer | null = null
  try {
    container = await createContainer(config, { role: 'cli', log: pino({ level: 'silent' }) })
    const client = container.redis.client
    if (client === null || !container.redis.isReady()) throw new SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE(container.redis.reason ?? 'Redis not connected')
    const shared = new RedisStore({ client, prefix: `${config.redis.keyPrefix}rl:`, ban: null })
    const bans = new BanAdmin({ shared, local: null, ipv6Subnet: rl.ipv6Subnet })
    if (sub === 'unban') {
      const r = await bans.lift(rest[0])
      if (!r.lifted) throw new SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND(r.client)
      if (values.json === true) io.stdout.write(JSON.stringify(r) + '\n')
      else io.stdout.write(`lifted the ban of ${r.client}\n`)
      return EXIT_OK
    }
    const list = await bans.list()
    if (values.json === true) {
      io.stdout.write(JSON.stringify({ enabled: rl.bans.enabled, exempt: rl.bans.exempt, ...list }, null, 2) + '\n')
      return EXIT_OK
    }
    if (!rl.bans.enabled) io.stderr.write('note: rateLimit.bans.enabled is false: no new bans are made\n')
    if (list.bans.length === 0) {
      io.stdout.write('No bans in force.\n')
      return EXIT_OK
    }
    const width = Math.max(6, ...list.bans.map(b => b.client.length))
    io.stdout.write(`${'client'.padEnd(width)}  ${'left'.padEnd(8)}  until\n`)
    for (const b of list.bans) io.stdout.write(`${b.client.padEnd(width)}  ${left(b.remainingMs).padEnd(8)}  ${b.until}\n`)
    if (list.truncated) io.stdout.write(`(only the first ${list.bans.length} shown)\n`)
    io.stdout.write(`Lift one with: sipup-sidecar limits unban IP${values.config === undefined ? '' : ` -c ${values.config}`}\n`)
    return EXIT_OK
  } catch (err) {
    if (!coded(err)) throw err
    io.stderr.write(`sipup-sidecar limits ${sub}: ${err.code}: ${err.message}\n`)
    return err.code === 'SIPUP_ERR_RATELIMIT_BAD_ADDRESS' ? EXIT_USAGE : EXIT_FAILURE
  } finally {
    await container?.close()
  }
}

export const command: Command = {
  name: 'limits',
  summary: 'rate limiting: list the bans in force (limits bans), lift one (limits unban IP)',
  usage: USAGE,
  run: args => runLimits(args, { stdout: process.stdout, stderr: process.stderr })
}
