// A running sidecar's admin API, for commands whose data lives inside the proxy process (bans and cache entries
// with the memory store). Authenticates as a script on the same machine would: the bearer token when `admin.token`
// is set (no CSRF token needed), otherwise as a loopback client, which reads the dashboard page for its CSRF token
// like a browser does. Basic users only: the command can't log in and says so.
import type { CoreConfig } from '../config/core-schema.js'

export interface AdminAnswer { status: number, body: Record<string, unknown> }

export class AdminApi {
  readonly base: string
  readonly #token: string
  #csrf: string | null = null

  constructor (config: CoreConfig, url?: string) {
    const host = config.server.host === '0.0.0.0' || config.server.host === '::' || config.server.host === '' ? '127.0.0.1' : config.server.host
    this.base = (url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.server.port}`).replace(/\/+$/, '') + config.admin.prefix
    this.#token = config.admin.token
    if (this.#token === '' && config.admin.users.length > 0) {
      throw new Error('admin.users are set but no admin.token: set SIDECAR_ADMIN_TOKEN (or admin.token) so this command can call the admin API')
    }
  }

  async call (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<AdminAnswer> {
    const headers: Record<string, string> = {}
    if (this.#token !== '') headers.authorization = `Bearer ${this.#token}`
    else if (method !== 'GET') headers['x-csrf-token'] = await this.#csrfToken()
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await res.text()
    let parsed: Record<string, unknown>
    try { parsed = JSON.parse(text) as Record<string, unknown> } catch { parsed = { detail: text.slice(0, 200) } }
    return { status: res.status, body: parsed }
  }

  async #csrfToken (): Promise<string> {
    if (this.#csrf !== null) return this.#csrf
    const res = await fetch(this.base + '/')
    const m = /<meta name="csrf-token" content="([^"]*)">/.exec(await res.text())
    if (res.status !== 200 || m === null) throw new Error(`cannot open ${this.base}/ as a loopback client (HTTP ${res.status})`)
    this.#csrf = m[1]
    return m[1]
  }
}
