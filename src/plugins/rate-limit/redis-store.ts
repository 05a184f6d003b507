// Shared store: the requests that reach the limiter in one event-loop turn share one EVALSHA through the core's
// Redis connection (flushed on setImmediate, or once the call in flight is answered: see MAX_IN_FLIGHT). While Redis
// is down the call rejects at once (no offline queue) and `redis.commandTimeout` bounds a hung one. The script is
// sent as bytes written in raw-script.ts, which falls back to EVAL after a NOSCRIPT (a restarted Redis forgets
// scripts); the strike script is registered with ioredis' defineCommand, which does the same.
import type { RedisClient } from '../../core/types.js'
import { scanEach } from '../../core/redis-scan.js'
import { RATE_LIMIT_LUA, STRIKE_LUA } from './redis-script.js'
import { RawScript } from './raw-script.js'
import type { BanPolicy, BanRecord, Check, CheckResult, RateLimitStore, StoreResult, StrikeResult, Tier } from './types.js'

/** Most requests one call carries (bounds the script's run time, during which Redis serves nobody else). */
export const MAX_BATCH = 64
/** Calls in flight at once. While they are out, the requests that arrive wait for the first reply (or a full
 * batch) and then share one call: every call costs ~50 µs of CPU in this process (the socket write, the reply's
 * read, ioredis' command) and ~30 µs in Redis (its read, the script's set-up, the reply's write) whatever it carries,
 * so under load bigger batches are what the per-request cost comes down to. A request waits at most for the call
 * ahead of it, which its own deadline (`redis.commandTimeout`) bounds too. */
export const MAX_IN_FLIGHT = 1
/** Bound on a call when the client has no command timeout (`redis.commandTimeout: 0`): requests never wait on a
 * hung Redis for longer than this. */
export const FALLBACK_TIMEOUT_MS = 100

/** The id whose counter key (`<prefix>k:ip=<client>`) carries the client's ban mark (redis-script.ts): the
 * anonymous id of the client, as the hook builds it. */
const MARK_ID = 'ip='

const TIMED_OUT = Object.assign(new Error(`rate-limit store call took longer than ${FALLBACK_TIMEOUT_MS} ms`), { code: 'SIPUP_RATELIMIT_TIMEOUT' })

/** Keys one SCAN step looks at (a hint to Redis; each step is short, so other clients are served in between). */
const SCAN_COUNT = 500

type Arg = string | number | Buffer
/** Bytes per request in the script's request argument: now (float64), shape index (uint16), fresh (uint8). */
const REQUEST_BYTES = 11
/** The script's reply: per request a status byte, then float64 LE values (redis-script.ts). */
const ALLOWED = 1
const BANNED = 2
interface ScriptedRedis {
  sipupRateLimitStrike (...args: Arg[]): Promise<[number, number]>
}

interface Pending {
  client: string | null
  checks: readonly Check[]
  now: number
  resolve: (r: StoreResult) => void
  reject: (err: Error) => void
}

export class RedisStore implements RateLimitStore {
  readonly #redis: ScriptedRedis
  readonly #client: RedisClient
  readonly #script = new RawScript(RATE_LIMIT_LUA)
  readonly #ban: BanPolicy | null
  readonly #prefix: string
  readonly #timeoutMs: number
  #queue: Pending[] = []
  #scheduled = false
  #inFlight = 0
  readonly #flush = (): void => {
    this.#scheduled = false
    if (this.#inFlight < MAX_IN_FLIGHT) this.#send()
  }
  readonly #answered = (): void => { this.#landed() }
  readonly #failed = (err: Error): void => { this.#landed(err) }

  /**
   * `prefix`: of every key (`<redis.keyPrefix>rl:`): counters `<prefix>k:<id>`, bans `<prefix>ban:<client>`.
   * `ownTimeout`: bound each call here (true when the client itself has no command timeout).
   */
  constructor (opts: { client: RedisClient, prefix: string, ban: BanPolicy | null, ownTimeout?: boolean }) {
    const client = opts.client
    const scripted = client as unknown as Partial<ScriptedRedis>
    if (scripted.sipupRateLimitStrike === undefined) client.defineCommand('sipupRateLimitStrike', { numberOfKeys: 3, lua: STRIKE_LUA })
    this.#redis = client as unknown as ScriptedRedis
    this.#client = client
    this.#ban = opts.ban
    this.#prefix = opts.prefix
    this.#timeoutMs = opts.ownTimeout === true ? FALLBACK_TIMEOUT_MS : 0
  }

  consume (client: string | null, checks: readonly Check[], now: number): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ client, checks, now, resolve, reject })
      if (this.#queue.length >= MAX_BATCH) this.#send()
      else this.#schedule()
    })
  }

  #schedule (): void {
    if (!this.#scheduled && this.#inFlight < MAX_IN_FLIGHT) {
      this.#scheduled = true
      setImmediate(this.#flush)
    }
  }

  /** A call was answered: what queued behind it goes once the turn's other replies are read. A call that failed
   * (Redis down, or a hung one timed out) fails what queued behind it too, so no request waits for two deadlines:
   * the limiter decides them as it decides the failed call's (the fallback). */
  #landed (err?: Error): void {
    this.#inFlight--
    const queue = this.#queue
    if (queue.length === 0) return
    if (err === undefined) {
      this.#schedule()
      return
    }
    this.#queue = []
    for (const p of queue) p.reject(err)
  }

  strike (client: string | null, now: number): Promise<StrikeResult> {
    const ban = this.#ban
    if (ban === null || client === null) return Promise.resolve({ bannedMs: 0, banStartedMs: 0 })
    const p = this.#prefix
    let call = this.#redis.sipupRateLimitStrike(`${p}ban:${client}`, `${p}strikes:${client}`, `${p}k:${MARK_ID}${client}`, ban.strikes, ban.withinMs,
      ban.durationMs, now)
    if (this.#timeoutMs > 0) call = withTimeout(call, this.#timeoutMs)
    return call.then(r => ({ bannedMs: r[0], banStartedMs: r[1] }))
  }

  /** SCAN (never KEYS: it blocks Redis for the whole keyspace; every master of a Cluster) over `<prefix>ban:*`, then
   * one PTTL per ban found. */
  async listBans (_now: number, max: number): Promise<{ bans: BanRecord[], truncated: boolean }> {
    const client = this.#client
    const head = `${this.#prefix}ban:`
    const found: string[] = []
    let truncated = false
    await scanEach(client, `${escapeGlob(head)}*`, keys => {
      for (const k of keys) {
        if (found.length === max) { truncated = true; return false }
        found.push(k)
      }
      return true
    }, SCAN_COUNT)
    if (found.length === 0) return { bans: [], truncated }
    const pipe = client.pipeline()
    for (const k of found) pipe.pttl(k)
    const ttls = await pipe.exec() ?? []
    const bans: BanRecord[] = []
    for (let i = 0; i < found.length; i++) {
      const [err, ms] = ttls[i] ?? [null, -2]
      if (err !== null || typeof ms !== 'number' || ms <= 0) continue
      bans.push({ client: found[i].slice(head.length), remainingMs: ms })
    }
    return { bans, truncated }
  }

  async liftBan (clientKey: string, _now: number): Promise<boolean> {
    const res = await this.#client.multi().del(`${this.#prefix}ban:${clientKey}`).del(`${this.#prefix}strikes:${clientKey}`).exec()
    return Number(res?.[0]?.[1] ?? 0) > 0
  }

  #send (): void {
    const queue = this.#queue
    if (queue.length === 0) return
    this.#queue = []
    for (let from = 0; from < queue.length; from += MAX_BATCH) this.#call(from === 0 && queue.length <= MAX_BATCH ? queue : queue.slice(from, from + MAX_BATCH))
  }

  /** The tier's number in this batch, its arguments added when it is new. */
  #tierIndex (tier: Tier, tierIndex: Map<Tier, number>, tierArgs: Arg[]): number {
    let t = tierIndex.get(tier)
    if (t === undefined) {
      t = tierIndex.size + 1
      tierIndex.set(tier, t)
      tierArgs.push(tier.name, tier.intervalMs, tier.windowMs, tier.dryRun ? 1 : 0)
    }
    return t
  }

  #call (batch: Pending[]): void {
    const ban = this.#ban
    const bans = ban !== null
    const prefix = this.#prefix
    const keys: string[] = []
    const tierArgs: Arg[] = []
    const shapeArgs: Arg[] = []
    const tierIndex = new Map<Tier, number>()
    const shapes = new Map<string, number>()
    // Each request's time, shape number and whether it reads its counters fresh (struct '<dHB' in the script).
    const reqs = Buffer.allocUnsafe(batch.length * REQUEST_BYTES)
    // The counter keys an earlier request of this batch may write (its own, and the client's mark key when a strike
    // of it may mark a ban there): a request with one of them reads its counters with GET after those writes, the
    // others take the value the script read for the whole batch at its start.
    const written = new Set<string>()
    // Per request, where each reply slot goes (the checks grouped by id, one Redis key per id); null when the groups
    // keep the checks' order (ids next to each other, the usual case).
    const orders = new Array<number[] | null>(batch.length)
    // The shape of the last request whose checks all share one id (nearly every request): the next such request of the
    // same tiers, units and ban standing reuses its number without building the shape's key.
    let lastChecks: readonly Check[] | null = null
    let lastBannable = false
    let lastShape = 0
    for (let r = 0; r < batch.length; r++) {
      const p = batch[r]
      const client = p.client
      const bannable = bans && client !== null
      const checks = p.checks
      const n = checks.length
      reqs.writeDoubleLE(p.now, r * REQUEST_BYTES)
      const id0 = n > 0 ? checks[0].id : ''
      let oneId = n > 0
      for (let i = 1; i < n && oneId; i++) oneId = checks[i].id === id0
      if (oneId) {
        const key = `${prefix}k:${id0}`
        keys.push(key)
        orders[r] = null
        const marks = bannable && isMarkId(id0, client)
        reqs[r * REQUEST_BYTES + 10] = written.has(key) ? 1 : 0
        written.add(key)
        if (bannable && !marks) {
          keys.splice(keys.length - 1, 0, `${prefix}ban:${client}`, `${prefix}strikes:${client}`)
          written.add(`${prefix}k:${MARK_ID}${client}`)
        }
        if (lastChecks !== null && lastBannable === bannable && sameUnits(lastChecks, checks) && (!bannable || marks)) {
          reqs.writeUInt16LE(lastShape, r * REQUEST_BYTES + 8)
          continue
        }
        let shape = (bannable ? (marks ? 'b1' : 'b0') : 'a') + '|'
        for (let i = 0; i < n; i++) shape += `${this.#tierIndex(checks[i].tier, tierIndex, tierArgs)}:${checks[i].want},`
        const si = shapeIndex(shapes, shape, shapeArgs)
        reqs.writeUInt16LE(si, r * REQUEST_BYTES + 8)
        if (!bannable || marks) {
          lastChecks = checks
          lastBannable = bannable
          lastShape = si
        }
        continue
      }
      // The request's shape: whether it is bannable and which group carries its ban mark, then per group its checks'
      // (tier, units wanted). Requests of one shape (most of a batch) share its arguments.
      let shape = ''
      let markGroup = 0
      let groups = 0
      let order: number[] | null = null
      let placed = 0
      const firstKey = keys.length
      for (let i = 0; i < n; i++) {
        if (order !== null ? order.includes(i) : i < placed) continue
        const id = checks[i].id
        keys.push(`${prefix}k:${id}`)
        groups++
        if (bannable && markGroup === 0 && isMarkId(id, client)) markGroup = groups
        shape += '|'
        for (let j = i; j < n; j++) {
          const c = checks[j]
          if (c.id !== id) continue
          shape += `${this.#tierIndex(c.tier, tierIndex, tierArgs)}:${c.want},`
          if (order === null && j !== placed) {
            order = []
            for (let k = 0; k < placed; k++) order.push(k)
          }
          if (order !== null) order.push(j)
          placed++
        }
      }
      let fresh = 0
      for (let i = firstKey; i < keys.length; i++) {
        if (written.has(keys[i])) fresh = 1
        written.add(keys[i])
      }
      reqs[r * REQUEST_BYTES + 10] = fresh
      if (bannable && markGroup === 0) {
        keys.splice(firstKey, 0, `${prefix}ban:${client}`, `${prefix}strikes:${client}`)
        written.add(`${prefix}k:${MARK_ID}${client}`)
      }
      shape = (bannable ? `b${markGroup}` : 'a') + shape
      orders[r] = order
      reqs.writeUInt16LE(shapeIndex(shapes, shape, shapeArgs), r * REQUEST_BYTES + 8)
    }
    const args: Arg[] = [tierIndex.size, batch.length, ban === null ? 0 : ban.strikes, ban === null ? 0 : ban.withinMs,
      ban === null ? 0 : ban.durationMs, shapes.size, prefix, reqs]
    for (let i = 0; i < tierArgs.length; i++) args.push(tierArgs[i])
    for (let i = 0; i < shapeArgs.length; i++) args.push(shapeArgs[i])
    let call = this.#script.call(this.#client, keys, args)
    if (this.#timeoutMs > 0) call = withTimeout(call, this.#timeoutMs)
    this.#inFlight++
    call.then(this.#answered, this.#failed)
    call.then(reply => {
      let j = 0
      for (let r = 0; r < batch.length; r++) {
        const p = batch[r]
        const status = reply[j++]
        if (status === BANNED) {
          p.resolve({ allowed: false, bannedMs: reply.readDoubleLE(j), banStartedMs: 0, results: [] })
          j += 8
          continue
        }
        const allowed = status === ALLOWED
        let banStartedMs = 0
        if (!allowed) {
          banStartedMs = reply.readDoubleLE(j)
          j += 8
        }
        const checks = p.checks
        const n = checks.length
        const order = orders[r]
        const results = new Array<CheckResult>(n)
        for (let i = 0; i < n; i++) {
          const c = checks[order === null ? i : order[i]]
          results[order === null ? i : order[i]] = fromTat(c.tier, c.want, reply.readDoubleLE(j), p.now, allowed)
          j += 8
        }
        p.resolve({ allowed, bannedMs: 0, banStartedMs, results })
      }
    }, (err: Error) => {
      for (const p of batch) p.reject(err)
    })
  }
}

/** A check's result from the TAT the script saw (its counter's, or now when that is past): GCRA as the script
 * computed it (same doubles, same operations, so the same figures), which spares the script writing them. */
function fromTat (tier: Tier, want: number, tat: number, now: number, allowed: boolean): CheckResult {
  const iv = tier.intervalMs
  const avail = Math.floor((now + tier.windowMs - tat) / iv + 1e-9)
  const granted = allowed && avail >= 1 ? Math.min(want, avail) : 0
  const after = tat + granted * iv
  const remaining = Math.max(0, avail - granted)
  return {
    granted,
    remaining,
    resetMs: Math.ceil(after - now),
    retryMs: remaining < 1 ? Math.max(0, Math.ceil(after + iv - tier.windowMs - now - 1e-9)) : 0
  }
}

/** The shape's number in this batch, its arguments added when it is new. */
function shapeIndex (shapes: Map<string, number>, shape: string, shapeArgs: Arg[]): number {
  let si = shapes.get(shape)
  if (si === undefined) {
    si = shapes.size + 1
    shapes.set(shape, si)
    encodeShape(shapeArgs, shape)
  }
  return si
}

/** Whether two requests' checks take the same units of the same tiers, in order. */
function sameUnits (a: readonly Check[], b: readonly Check[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i].tier !== b[i].tier || a[i].want !== b[i].want) return false
  return true
}

/** Whether `id` is `ip=<client>`, the group whose counter key carries the client's ban mark. */
function isMarkId (id: string, client: string): boolean {
  return id.length === client.length + MARK_ID.length && id.startsWith(MARK_ID) && id.endsWith(client)
}

/** A shape's arguments for the script (bannable 1/0, the ban mark's group, groups G, G × (checks C, C × (tier index,
 * units wanted))) from its key (`b<mark group>` or `a`, then `|t:w,t:w,` per group). */
function encodeShape (out: Arg[], shape: string): void {
  const groups = shape.split('|')
  const bannable = groups[0].startsWith('b')
  out.push(bannable ? 1 : 0, bannable ? Number(groups[0].slice(1)) : 0, groups.length - 1)
  for (let g = 1; g < groups.length; g++) {
    const members = groups[g].split(',')
    out.push(members.length - 1)
    for (let m = 0; m < members.length - 1; m++) {
      const colon = members[m].indexOf(':')
      out.push(Number(members[m].slice(0, colon)), Number(members[m].slice(colon + 1)))
    }
  }
}

/** Rejects after `ms`, but only once the poll phase after the timer has run: a reply that arrived while this
 * process was stalled is read first (see src/core/redis-timeout.ts). */
function withTimeout<T> (p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([p, new Promise<T>((_resolve, reject) => {
    timer = setTimeout(() => { setImmediate(reject, TIMED_OUT) }, ms)
  })])
    .finally(() => { clearTimeout(timer) })
}

/** Escapes the glob characters SCAN MATCH knows, so a key prefix matches only itself. */
function escapeGlob (s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&')
}
