// Bans as operators see them (admin API, dashboard, `sipup-sidecar limits`): listed from the stores that hold them
// and lifted from all of them. Not on the hot path. With the Redis store the bans are shared: lifting one there ends
// it on every instance within BAN_RECHECK_MS (limiter.ts); this instance's memory fallback (used while Redis was
// down) is listed and cleared too.
import { isIP } from 'node:net'
import { SIPUP_ERR_RATELIMIT_BAD_ADDRESS, SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE } from '../../errors.js'
import { clientKey } from './client-ip.js'
import type { BanRecord, BanStore } from './types.js'

/** Most bans one listing returns (a ban flood must not make an answer of megabytes). */
export const MAX_LISTED = 1000

export interface ListedBan extends BanRecord {
  /** When it ends (ISO 8601). */
  readonly until: string
  /** Where it is kept: `redis` (every instance) or `memory` (this process only). */
  readonly store: 'redis' | 'memory'
}

export interface BanListing {
  bans: ListedBan[]
  truncated: boolean
}

export interface BanAdminOptions {
  /** The shared store (Redis), or null when bans are per instance. */
  shared: BanStore | null
  /** This process's memory store (the `memory` store, or the Redis fallback), null in the CLI. */
  local: BanStore | null
  /** Called with a lifted client, so this instance stops answering from what it remembered. */
  forget?: (client: string) => void
  ipv6Subnet: number
  now?: () => number
}

export class BanAdmin {
  readonly #o: BanAdminOptions
  readonly #now: () => number

  constructor (opts: BanAdminOptions) {
    this.#o = opts
    this.#now = opts.now ?? Date.now
  }

  /** The client key bans are kept under (throws a coded 400 for anything but an IP address). */
  clientOf (address: string): string {
    const slash = address.indexOf('/')
    const ip = slash === -1 ? address : address.slice(0, slash)
    if (isIP(ip) === 0) throw new SIPUP_ERR_RATELIMIT_BAD_ADDRESS(address.slice(0, 64))
    return clientKey(ip, this.#o.ipv6Subnet)
  }

  async list (): Promise<BanListing> {
    const now = this.#now()
    const out: ListedBan[] = []
    let truncated = false
    const add = (r: { bans: BanRecord[], truncated: boolean }, store: ListedBan['store']): void => {
      truncated ||= r.truncated
      for (const b of r.bans) {
        if (out.length === MAX_LISTED) { truncated = true; return }
        out.push({ client: b.client, remainingMs: b.remainingMs, until: new Date(now + b.remainingMs).toISOString(), store })
      }
    }
    const { shared, local } = this.#o
    if (shared !== null) add(await this.#shared(() => shared.listBans(now, MAX_LISTED)), 'redis')
    if (local !== null) add(await local.listBans(now, MAX_LISTED), 'memory')
    out.sort((a, b) => b.remainingMs - a.remainingMs)
    return { bans: out, truncated }
  }

  /** Lifts the ban of the address's client everywhere this process reaches; `lifted` false when none was in force. */
  async lift (address: string): Promise<{ client: string, lifted: boolean }> {
    const client = this.clientOf(address)
    const now = this.#now()
    const { shared, local } = this.#o
    let lifted = local === null ? false : await local.liftBan(client, now)
    if (shared !== null) lifted = await this.#shared(() => shared.liftBan(client, now)) || lifted
    this.#o.forget?.(client)
    return { client, lifted }
  }

  async #shared<T> (fn: () => T | Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      const e = err as Error & { code?: string }
      throw new SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE(e.code ?? e.message, { cause: err })
    }
  }
}
