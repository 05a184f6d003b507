// `sipup-sidecar cache purge`: purge the shared cache from a shell (a deploy script, a cron job) without a running
// dashboard or its CSRF token. Works on the Redis layer through the container's connection, with the proxy's own
// key prefix and query normalization, and (store: tiered) broadcasts the purge so every running instance drops its
// memory copies. With `cache.store: memory` the entries live inside each proxy: the command asks the running
// sidecar's admin API instead (`--url`, default the configured listener), as a script with the bearer token would.
import { pino } from 'pino'
import { CONFIG_OPTION, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type CommandContext, type WithSection } from '../../../core/command.js'
import type { CacheSection } from '../schema.js'
import { parseSubcommand, type CommandIo } from '../../../core/command-args.js'
import { createContainer, type SidecarContainer } from '../../../core/container.js'
import { AdminApi } from '../../../cli/admin-client.js'
import { SIPUP_ERR_CACHE_PURGE_INVALID } from '../../../errors.js'
import { purgePrefixForUrl, queryNormalizer } from '../cache-key.js'
import { MemoryStore } from '../memory-store.js'
import { checkPurgeBody } from '../purge.js'
import { RedisStore } from '../redis-store.js'
import { TieredStore } from '../tiered-store.js'
import type { CacheStore, PurgeSelector } from '../types.js'

const USAGE = `Usage: sipup-sidecar cache purge [URL...] [--prefix PATH]... [--tag TAG]... [--regex RE] [-c FILE]

Purges the shared response cache (cache.store redis or tiered) on every instance.

  URL             a path with its query (/product.php?id=42: every host) or an absolute http(s) URL
  --prefix PATH   every URL under the path prefix (/catalog.php, / for everything)
  --tag TAG       entries the origin tagged (Surrogate-Key / Cache-Tag)
  --regex RE      URLs whose path and query match the regular expression (e.g. '^/product\\.php\\?id=4[0-9]$');
                  RE2 syntax (linear-time: no lookaround or backreferences)

Options:
  -c, --config FILE   YAML config merged over the defaults (redis.*, cache.*)
      --url URL       the running sidecar to ask with cache.store: memory (default http://<server.host>:<server.port>)
      --json          print { purged } as JSON
  -h, --help          this text

With cache.store: memory (or redis.enabled: false) each proxy holds its own entries: the command calls that
sidecar's admin API (POST <admin.prefix>/api/cache/purge) with admin.token, or as a loopback client when no admin
credentials are set; run it once per instance.

Exit codes: 0 done, 1 Redis unreachable, 2 bad usage or config.`

export type Io = CommandIo

const OPTIONS = {
  ...CONFIG_OPTION,
  prefix: { type: 'string', multiple: true },
  url: { type: 'string' },
  tag: { type: 'string', multiple: true },
  regex: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

/** Checks the arguments as the admin API checks its body (same refusals, same words); returns the selectors
 * that don't need the config (URLs are turned into prefixes once the query normalization is known). */
function selectorsOf (urls: string[], prefixes: string[], tags: string[] | undefined, regex: string | undefined): PurgeSelector[] {
  for (const p of prefixes) checkPurgeBody({ prefix: p })
  const what = checkPurgeBody({ urls, tags, ...(regex === undefined ? {} : { regex }), ...(prefixes.length > 0 ? { prefix: prefixes[0] } : {}) })
  const out: PurgeSelector[] = prefixes.map(prefix => ({ kind: 'prefix', prefix }))
  if (what.tags.length > 0) out.push({ kind: 'tags', tags: what.tags })
  if (what.regex !== '') out.push({ kind: 'regex', source: what.regex })
  return out
}

/** The command with its output streams injectable (tests). */
export async function runCache (args: string[], io: Io, ctx: CommandContext): Promise<number> {
  const parsed = parseSubcommand(args, OPTIONS, { name: 'cache', usage: USAGE, subcommands: ['purge'] }, io)
  if (typeof parsed === 'number') return parsed
  const { values, rest: urls } = parsed
  let selectors: PurgeSelector[]
  try {
    selectors = selectorsOf(urls, values.prefix ?? [], values.tag, values.regex)
  } catch (err) {
    const e = err as Error & { code?: string }
    if (e.code !== SIPUP_ERR_CACHE_PURGE_INVALID.code) throw err
    io.stderr.write(`sipup-sidecar cache purge: ${e.code}: ${e.message}\n`)
    return EXIT_USAGE
  }
  const loaded = await ctx.loadConfig(values.config, io.stderr)
  if (loaded === null) return EXIT_USAGE
  const config = loaded.config as WithSection<'cache', CacheSection>
  const cfg = config.cache
  if (cfg.store === 'memory' || !config.redis.enabled) {
    io.stderr.write(`note: the cache is per instance (${cfg.store === 'memory' ? 'cache.store: memory' : 'redis.enabled: false'}): asking the sidecar's admin API; other instances keep their own\n`)
    return purgeThroughAdmin(config, values.url, selectors, urls, values.json === true, io)
  }
  const normalize = queryNormalizer({ sort: cfg.query.sort, drop: cfg.query.drop })
  for (const u of urls) selectors.push({ kind: 'prefix', prefix: purgePrefixForUrl(u, normalize) })
  let container: SidecarContainer | null = null
  try {
    container = await createContainer(config, { role: 'cli', log: pino({ level: 'silent' }) })
    const redis = container.redis
    const client = redis.client
    if (client === null || !redis.isReady()) {
      io.stderr.write(`sipup-sidecar cache purge: Redis unreachable: ${redis.reason ?? 'not connected'}\n`)
      return EXIT_FAILURE
    }
    let failed: (Error & { code?: string }) | null = null
    const onError = (err: Error): void => { failed ??= err }
    const l2 = new RedisStore({ client: () => client, key: (...parts) => redis.key(...parts), onError })
    // Tiered: an empty memory layer here; the proxies drop theirs on the purge broadcast.
    const store: CacheStore = cfg.store === 'redis'
      ? l2
      : new TieredStore({ l1: new MemoryStore(), l2, l2Ready: () => true, publisher: () => client, subscriber: null, channel: redis.key('cache', 'purge'), onError })
    let purged = 0
    for (const s of selectors) purged += await store.purge(s)
    const f = failed as (Error & { code?: string }) | null
    if (f !== null) {
      io.stderr.write(`sipup-sidecar cache purge: Redis failed: ${f.code ?? f.message}\n`)
      return EXIT_FAILURE
    }
    if (values.json === true) io.stdout.write(JSON.stringify({ purged }) + '\n')
    else io.stdout.write(`purged ${purged} entr${purged === 1 ? 'y' : 'ies'}${cfg.store === 'tiered' ? ' (every instance told to drop its memory copies)' : ''}\n`)
    return EXIT_OK
  } finally {
    await container?.close()
  }
}

/** One POST per selector (the API takes one prefix per call); the sidecar normalizes the URLs itself. */
async function purgeThroughAdmin (config: WithSection<'cache', CacheSection>, url: string | undefined, selectors: PurgeSelector[], urls: string[], json: boolean, io: Io): Promise<number> {
  let api: AdminApi
  try {
    api = new AdminApi(config, url)
  } catch (err) {
    io.stderr.write(`sipup-sidecar cache purge: ${(err as Error).message}\n`)
    return EXIT_USAGE
  }
  const bodies: Record<string, unknown>[] = selectors.map(s => s.kind === 'prefix' ? { prefix: s.prefix } : s.kind === 'tags' ? { tags: s.tags } : { regex: s.source })
  if (urls.length > 0) bodies.push({ urls })
  let purged = 0
  for (const body of bodies) {
    let r
    try {
      r = await api.call('POST', '/api/cache/purge', body)
    } catch (err) {
      io.stderr.write(`sipup-sidecar cache purge: the sidecar's admin API at ${api.base} did not answer (${(err as Error).message}); is it running? (--url)\n`)
      return EXIT_FAILURE
    }
    if (r.status !== 200) {
      io.stderr.write(`sipup-sidecar cache purge: ${String(r.body.code ?? `HTTP ${r.status}`)}: ${String(r.body.detail ?? r.body.title ?? '')}\n`)
      return r.status === 400 ? EXIT_USAGE : EXIT_FAILURE
    }
    purged += Number(r.body.purged ?? 0)
  }
  if (json) io.stdout.write(JSON.stringify({ purged }) + '\n')
  else io.stdout.write(`purged ${purged} entr${purged === 1 ? 'y' : 'ies'} on ${api.base}\n`)
  return EXIT_OK
}

export const command: Command = {
  name: 'cache',
  summary: 'response cache: purge by URL, prefix, tag or regex on every instance (cache purge ...)',
  usage: USAGE,
  run: (args, ctx) => runCache(args, { stdout: process.stdout, stderr: process.stderr }, ctx)
}
