// "Once across the fleet": leases, leaders and one-shot claims for work that must not run on every sidecar instance
// at once (cron ticks, DDL apply/undo, the cache's index prune). On Redis when it is configured; per process when
// Redis is disabled (one instance by config). While a configured Redis is unreachable, acquiring fails with a
// coded error instead of silently running the work everywhere.
//
// Safety (see https://martin.kleppmann.com/2016/02/08/how-to-do-distributed-locking.html): a lease expires on its
// own (a crashed holder never blocks the fleet), and every lease carries a fencing token that only grows, so work
// that writes somewhere can refuse a holder whose lease ran out under it (`isCurrent`). A Redis failover may lose
// the last writes, key and counter included; the token is then still larger than any earlier one because each is
// at least the Redis server's clock in ms.
import { randomBytes } from 'node:crypto'
import type { RedisClient } from './redis-client.js'
import { SIPUP_ERR_FLEET_LOCK_UNAVAILABLE } from '../errors.js'

/** Local clocks drift against Redis's expiry: a lease is treated as lost this share of its ttl early. */
const DRIFT_FACTOR = 0.01
const DRIFT_MIN_MS = 2
/** A leader renews its lease this many times per ttl. */
const RENEWALS_PER_TTL = 3
/** Claims remembered per process when Redis is disabled. */
const LOCAL_CLAIMS_MAX = 10_000

// KEYS: lock, fence. ARGV: owner, ttl ms. Returns the fencing token, or 0 when somebody else holds the lock.
const ACQUIRE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local f = redis.call('INCR', KEYS[2])
  if f < now then
    redis.call('SET', KEYS[2], now)
    f = now
  end
  return f
end
return 0`
// KEYS: lock. ARGV: owner, ttl ms. Extends only the owner's own lease.
const EXTEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`
// KEYS: lock. ARGV: owner. Deletes only the owner's own lease.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

export interface Lease {
  readonly name: string
  /** Grows with every acquisition of this name, across the fleet. */
  readonly token: number
  /** False once the ttl (minus a drift margin) has passed without an extension, or after release. */
  readonly held: boolean
  /** Pushes the expiry to now + ttl; false when the lease was lost meanwhile. */
  extend(ttlMs: number): Promise<boolean>
  release(): Promise<void>
}

export interface Leadership {
  readonly leader: boolean
  /** Stops campaigning and gives the lease up. */
  stop(): Promise<void>
}

export interface LeaderCallbacks {
  onElected?(lease: Lease): void
  onDemoted?(): void
}

export type ExclusiveResult<T> = { ran: true, value: T } | { ran: false }

export interface FleetLocks {
  /** True when leases are shared through Redis; false when they only exclude within this process. */
  readonly shared: boolean
  /** The lease, or null when another holder has it. Rejects (SIPUP_ERR_FLEET_LOCK_UNAVAILABLE) while Redis is down. */
  acquire(name: string, ttlMs: number): Promise<Lease | null>
  /** Runs `fn` while holding `name`, extending the lease as it runs; `{ ran: false }` when another holder has it.
   * The signal aborts when the lease is lost (its extension failed), so long work can stop early. */
  runExclusive<T>(name: string, ttlMs: number, fn: (lease: Lease, signal: AbortSignal) => Promise<T>): Promise<ExclusiveResult<T>>
  /** True for exactly one caller across the fleet per key until `ttlMs` passes (a cron tick, a one-off task). */
  claim(key: string, ttlMs: number): Promise<boolean>
  /** Whether `token` is still the newest lease of `name` (fencing check before a write that must not be stale). */
  isCurrent(name: string, token: number): Promise<boolean>
  /** Keeps one leader across the fleet for `name`: campaigns every ttl/3 until stopped. */
  lead(name: string, ttlMs: number, callbacks?: LeaderCallbacks): Leadership
}

function owner (): string {
  return randomBytes(12).toString('base64url')
}

function safeUntil (now: number, ttlMs: number): number {
  return now + ttlMs - Math.max(DRIFT_MIN_MS, Math.round(ttlMs * DRIFT_FACTOR))
}

abstract class BaseLocks implements FleetLocks {
  abstract readonly shared: boolean
  readonly #now: () => number

  constructor (now: () => number) {
    this.#now = now
  }

  protected now (): number {
    return this.#now()
  }

  abstract acquire (name: string, ttlMs: number): Promise<Lease | null>
  abstract claim (key: string, ttlMs: number): Promise<boolean>
  abstract isCurrent (name: string, token: number): Promise<boolean>

  async runExclusive<T> (name: string, ttlMs: number,
    fn: (lease: Lease, signal: AbortSignal) => Promise<T>): Promise<ExclusiveResult<T>> {
    const lease = await this.acquire(name, ttlMs)
    if (lease === null) return { ran: false }
    const abort = new AbortController()
    const timer = setInterval(() => {
      lease.extend(ttlMs).then(ok => { if (!ok) abort.abort(new Error(`lease '${name}' was lost`)) },
        (err: Error) => { abort.abort(err) })
    }, Math.max(1, Math.floor(ttlMs / RENEWALS_PER_TTL)))
    timer.unref()
    try {
      return { ran: true, value: await fn(lease, abort.signal) }
    } finally {
      clearInterval(timer)
      await lease.release().catch(() => undefined)
    }
  }

  lead (name: string, ttlMs: number, callbacks: LeaderCallbacks = {}): Leadership {
    let lease: Lease | null = null
    let stopped = false
    let busy = false
    const demote = (): void => {
      if (lease === null) return
      lease = null
      callbacks.onDemoted?.()
    }
    const campaign = async (): Promise<void> => {
      if (busy || stopped) return
      busy = true
      try {
        if (lease !== null) {
          if (!lease.held || !await lease.extend(ttlMs)) demote()
          return
        }
        const got = await this.acquire(name, ttlMs)
        if (got !== null && !stopped) {
          lease = got
          callbacks.onElected?.(got)
        } else if (got !== null) {
          await got.release()
        }
      } catch {
        // Redis unreachable: nobody can prove leadership, so nobody leads until it answers again.
        demote()
      } finally {
        busy = false
      }
    }
    const timer = setInterval(() => { void campaign() }, Math.max(1, Math.floor(ttlMs / RENEWALS_PER_TTL)))
    timer.unref()
    void campaign()
    return {
      get leader () { return lease !== null && lease.held },
      async stop () {
        stopped = true
        clearInterval(timer)
        const held = lease
        demote()
        await held?.release().catch(() => undefined)
      }
    }
  }
}

class RedisLease implements Lease {
  readonly name: string
  readonly token: number
  readonly #locks: RedisLocks
  readonly #owner: string
  #until: number

  constructor (locks: RedisLocks, name: string, owner: string, token: number, until: number) {
    this.#locks = locks
    this.name = name
    this.#owner = owner
    this.token = token
    this.#until = until
  }

  get held (): boolean {
    return this.#until > this.#locks.clock()
  }

  async extend (ttlMs: number): Promise<boolean> {
    if (!this.held) return false
    const start = this.#locks.clock()
    const ok = await this.#locks.run(EXTEND, [this.#locks.lockKey(this.name)], [this.#owner, String(ttlMs)]) === 1
    this.#until = ok ? safeUntil(start, ttlMs) : 0
    return ok
  }

  async release (): Promise<void> {
    this.#until = 0
    await this.#locks.run(RELEASE, [this.#locks.lockKey(this.name)], [this.#owner])
  }
}

export class RedisLocks extends BaseLocks {
  readonly shared = true
  readonly #client: RedisClient
  readonly #prefix: string

  /** `prefix` is the sidecar's `redis.keyPrefix`; keys are `<prefix>lock:{<name>}`, one hash slot per name. */
  constructor (client: RedisClient, prefix: string, now: () => number = Date.now) {
    super(now)
    this.#client = client
    this.#prefix = prefix
  }

  clock (): number {
    return this.now()
  }

  lockKey (name: string): string {
    return `${this.#prefix}lock:{${name}}`
  }

  async run (script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#client.eval(script, keys.length, ...keys, ...args)
    } catch (cause) {
      const e = cause as Error & { code?: string }
      throw new SIPUP_ERR_FLEET_LOCK_UNAVAILABLE(e.code ?? e.message, { cause })
    }
  }

  async acquire (name: string, ttlMs: number): Promise<Lease | null> {
    const me = owner()
    const start = this.now()
    const key = this.lockKey(name)
    const token = Number(await this.run(ACQUIRE, [key, `${key}:fence`], [me, String(ttlMs)]))
    return token === 0 ? null : new RedisLease(this, name, me, token, safeUntil(start, ttlMs))
  }

  async claim (key: string, ttlMs: number): Promise<boolean> {
    try {
      return await this.#client.set(`${this.#prefix}claim:${key}`, owner(), 'PX', ttlMs, 'NX') === 'OK'
    } catch (cause) {
      const e = cause as Error & { code?: string }
      throw new SIPUP_ERR_FLEET_LOCK_UNAVAILABLE(e.code ?? e.message, { cause })
    }
  }

  async isCurrent (name: string, token: number): Promise<boolean> {
    const key = this.lockKey(name)
    try {
      const [holder, fence] = await Promise.all([this.#client.get(key), this.#client.get(`${key}:fence`)])
      return holder !== null && Number(fence) === token
    } catch (cause) {
      const e = cause as Error & { code?: string }
      throw new SIPUP_ERR_FLEET_LOCK_UNAVAILABLE(e.code ?? e.message, { cause })
    }
  }
}

class LocalLease implements Lease {
  readonly name: string
  readonly token: number
  readonly #locks: LocalLocks
  readonly #owner: string

  constructor (locks: LocalLocks, name: string, owner: string, token: number) {
    this.#locks = locks
    this.name = name
    this.#owner = owner
    this.token = token
  }

  get held (): boolean {
    return this.#locks.holder(this.name) === this.#owner
  }

  async extend (ttlMs: number): Promise<boolean> {
    return this.#locks.extend(this.name, this.#owner, ttlMs)
  }

  async release (): Promise<void> {
    this.#locks.release(this.name, this.#owner)
  }
}

/** Leases within one process: right when Redis is disabled, which means one instance by configuration. */
export class LocalLocks extends BaseLocks {
  readonly shared = false
  readonly #leases = new Map<string, { owner: string, until: number, token: number }>()
  readonly #fences = new Map<string, number>()
  readonly #claims = new Map<string, number>()

  constructor (now: () => number = Date.now) {
    super(now)
  }

  holder (name: string): string | null {
    const l = this.#leases.get(name)
    return l !== undefined && l.until > this.now() ? l.owner : null
  }

  extend (name: string, who: string, ttlMs: number): boolean {
    const l = this.#leases.get(name)
    if (l === undefined || l.owner !== who || l.until <= this.now()) return false
    l.until = this.now() + ttlMs
    return true
  }

  release (name: string, who: string): void {
    if (this.#leases.get(name)?.owner === who) this.#leases.delete(name)
  }

  async acquire (name: string, ttlMs: number): Promise<Lease | null> {
    if (this.holder(name) !== null) return null
    const token = Math.max((this.#fences.get(name) ?? 0) + 1, this.now())
    this.#fences.set(name, token)
    const me = owner()
    this.#leases.set(name, { owner: me, until: this.now() + ttlMs, token })
    return new LocalLease(this, name, me, token)
  }

  async claim (key: string, ttlMs: number): Promise<boolean> {
    const now = this.now()
    const until = this.#claims.get(key)
    if (until !== undefined && until > now) return false
    if (this.#claims.size >= LOCAL_CLAIMS_MAX) {
      for (const [k, u] of this.#claims) if (u <= now) this.#claims.delete(k)
      // Still full of live claims: forget the oldest rather than grow without bound.
      if (this.#claims.size >= LOCAL_CLAIMS_MAX) this.#claims.delete(this.#claims.keys().next().value as string)
    }
    this.#claims.set(key, now + ttlMs)
    return true
  }

  async isCurrent (name: string, token: number): Promise<boolean> {
    const l = this.#leases.get(name)
    return l !== undefined && l.until > this.now() && l.token === token
  }
}
