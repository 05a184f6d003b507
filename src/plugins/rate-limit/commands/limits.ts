// `sipup-sidecar limits`: the bans the rate limiter keeps, from a shell, without a running proxy. Reads and lifts
// them in Redis through the container's connection (the proxy's own store, same key prefix); the running instances
// stop answering a lifted ban within BAN_RECHECK_MS. With `rateLimit.store: memory` the bans live inside each
// proxy process: the command asks the running sidecar's admin API instead (`--url`, default the configured listener).
import { pino } from 'pino'
import { CONFIG_OPTION, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type CommandContext, type WithSection } from '../../../core/command.js'
import type { RateLimitSection } from '../schema.js'
import { parseSubcommand, type CommandIo } from '../../../core/command-args.js'
import { createContainer, type SidecarContainer } from '../../../core/container.js'
import { AdminApi } from '../../../cli/admin-client.js'
import { isCodedError, SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND, SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE } from '../../../errors.js'
import { BanAdmin, type BanListing } from '../ban-admin.js'
import { RedisStore } from '../redis-store.js'

const USAGE = `Usage: sipup-sidecar limits <command> [options] [-c FILE]

The rate limiter's bans (rateLimit.bans): who is banned, for how long, and lifting a ban early.

Commands:
  bans [--json]     List the bans in force (client, time left, end).
  unban IP          Lift the ban of IP (an IPv6 address lifts the ban of its /rateLimit.ipv6Subnet network).
                    Running sidecars stop refusing it within 5 s.

Options:
  -c, --config FILE   YAML config merged over the defaults (redis.*, rateLimit.*)
      --url URL       the running sidecar to ask when bans are per instance (default http://<server.host>:<server.port>)
      --json          print the result as JSON
  -h, --help          this text

Bans are read from Redis (rateLimit.store: redis). With store: memory (or redis.enabled: false) they live in each
proxy process: the command calls that sidecar's admin API (GET/DELETE <admin.prefix>/api/rate-limit/bans[/IP]) with
admin.token, or as a loopback client when no admin credentials are set; run it once per instance.

Exit codes: 0 done, 1 no such ban or Redis unreachable, 2 bad usage or config.`

export type Io = CommandIo

const OPTIONS = { ...CONFIG_OPTION, url: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

/** Where the bans are and how to list or lift them. */
interface BanSource {
  list (): Promise<BanListing>
  lift (address: string): Promise<{ client: string, lifted: boolean }>
}

/** The running sidecar's admin API: its coded errors become the same errors a Redis source throws. */
function adminSource (config: WithSection<'rateLimit', RateLimitSection>, url: string | undefined): BanSource {
  const api = new AdminApi(config, url)
  const fail = (r: { status: number, body: Record<string, unknown> }): never => {
    throw Object.assign(new Error(String(r.body.detail ?? r.body.title ?? `HTTP ${r.status}`)), { code: String(r.body.code ?? 'SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE') })
  }
  const reach = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn()
    } catch (err) {
      if (isCodedError(err)) throw err
      throw new SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE(`the sidecar's admin API at ${api.base} did not answer (${(err as Error).message}); is it running? (--url)`)
    }
  }
  return {
    list: () => reach(async () => {
      const r = await api.call('GET', '/api/rate-limit/bans')
      if (r.status !== 200) fail(r)
      return { bans: r.body.bans as BanListing['bans'], truncated: r.body.truncated === true }
    }),
    lift: address => reach(async () => {
      const r = await api.call('DELETE', `/api/rate-limit/bans/${encodeURIComponent(address)}`)
      if (r.status === 404 && r.body.code === 'SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND') return { client: address, lifted: false }
      if (r.status !== 200) fail(r)
      return { client: String(r.body.client), lifted: true }
    })
  }
}

/** `1h 2m 3s`: time left, to the second. */
function left (ms: number): string {
  let s = Math.ceil(ms / 1000)
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  return [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', s > 0 || (h === 0 && m === 0) ? `${s}s` : ''].filter(Boolean).join(' ')
}

/** The command with its output streams injectable (tests). */
export async function runLimits (args: string[], io: Io, ctx: CommandContext): Promise<number> {
  const parsed = parseSubcommand(args, OPTIONS, { name: 'limits', usage: USAGE, subcommands: ['bans', 'unban'] }, io)
  if (typeof parsed === 'number') return parsed
  const { values, sub, rest } = parsed
  if ((sub === 'bans' && rest.length > 0) || (sub === 'unban' && rest.length !== 1)) {
    io.stderr.write(sub === 'bans' ? `limits bans takes no arguments, got '${rest.join(' ')}'\n` : 'limits unban takes one address\n')
    return EXIT_USAGE
  }
  const loaded = await ctx.loadConfig(values.config, io.stderr)
  if (loaded === null) return EXIT_USAGE
  const config = loaded.config as WithSection<'rateLimit', RateLimitSection>
  const rl = config.rateLimit
  const perInstance = rl.store === 'memory' || !config.redis.enabled
  let container: SidecarContainer | null = null
  try {
    let bans: BanSource
    if (perInstance) {
      // Bans live in the proxy's memory: ask it.
      try {
        bans = adminSource(config, values.url)
      } catch (err) {
        io.stderr.write(`sipup-sidecar limits ${sub}: ${(err as Error).message}\n`)
        return EXIT_USAGE
      }
      io.stderr.write(`note: bans are per instance (${rl.store === 'memory' ? 'rateLimit.store: memory' : 'redis.enabled: false'}): asking the sidecar's admin API; other instances keep their own\n`)
    } else {
      container = await createContainer(config, { role: 'cli', log: pino({ level: 'silent' }) })
      const client = container.redis.client
      if (client === null || !container.redis.isReady()) throw new SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE(container.redis.reason ?? 'Redis not connected')
      const shared = new RedisStore({ client, prefix: `${container.redis.keyPrefix}rl:`, ban: null })
      bans = new BanAdmin({ shared, local: null, ipv6Subnet: rl.ipv6Subnet })
    }
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
    if (!isCodedError(err)) throw err
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
  run: (args, ctx) => runLimits(args, { stdout: process.stdout, stderr: process.stderr }, ctx)
}
