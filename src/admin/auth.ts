// Admin authentication: a bearer token, or HTTP Basic users with scrypt hashes; with neither configured, only
// loopback clients get in. The client address is request.ip, i.e. after trusted X-Forwarded-For, so a site
// reached through a local nginx doesn't make every visitor "loopback".
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { CoreConfig } from '../config/core-schema.js'
import { SIPUP_ERR_ADMIN_FORBIDDEN, SIPUP_ERR_ADMIN_UNAUTHORIZED } from '../errors.js'
import { verifyPassword } from './password.js'

export type AdminPrincipal = { kind: 'token' } | { kind: 'basic', user: string } | { kind: 'loopback' }

const VERIFIED_CACHE_MAX = 64

function sha256 (s: string): Buffer {
  return createHash('sha256').update(s).digest()
}

export function isLoopback (ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.')
}

export class AdminAuth {
  readonly #tokenDigest: Buffer | null
  readonly #users: ReadonlyMap<string, string>
  /** scrypt is slow on purpose; remember recent successful checks (by digest, bounded) so the dashboard's polling stays cheap. */
  readonly #verified = new Map<string, string>()

  constructor (config: CoreConfig['admin']) {
    this.#tokenDigest = config.token === '' ? null : sha256(config.token)
    this.#users = new Map(config.users.map(u => [u.name, u.passwordHash]))
  }

  get hasCredentials (): boolean {
    return this.#tokenDigest !== null || this.#users.size > 0
  }

  get challenge (): string {
    return this.#users.size > 0 ? 'Basic realm="sipup-sidecar admin", charset="UTF-8"' : 'Bearer realm="sipup-sidecar admin"'
  }

  async authenticate (request: FastifyRequest): Promise<AdminPrincipal> {
    const header = request.headers.authorization
    if (!this.hasCredentials) {
      if (isLoopback(request.ip)) return { kind: 'loopback' }
      throw new SIPUP_ERR_ADMIN_FORBIDDEN('no admin credentials are configured, so only loopback clients are allowed')
    }
    if (header === undefined) throw new SIPUP_ERR_ADMIN_UNAUTHORIZED()
    const space = header.indexOf(' ')
    const scheme = header.slice(0, space).toLowerCase()
    const value = header.slice(space + 1).trim()
    if (scheme === 'bearer' && this.#tokenDigest !== null && timingSafeEqual(sha256(value), this.#tokenDigest)) {
      return { kind: 'token' }
    }
    if (scheme === 'basic' && this.#users.size > 0) {
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      const user = decoded.slice(0, colon)
      const pass = decoded.slice(colon + 1)
      const hash = this.#users.get(user)
      if (colon > 0 && hash !== undefined && await this.#check(user, pass, hash)) return { kind: 'basic', user }
    }
    throw new SIPUP_ERR_ADMIN_UNAUTHORIZED()
  }

  async #check (user: string, pass: string, hash: string): Promise<boolean> {
    const digest = sha256(`${user}\0${pass}\0${hash}`).toString('base64')
    if (this.#verified.get(digest) === user) return true
    if (!await verifyPassword(pass, hash)) return false
    if (this.#verified.size >= VERIFIED_CACHE_MAX) this.#verified.delete(this.#verified.keys().next().value as string)
    this.#verified.set(digest, user)
    return true
  }
}
