// The minimum of a browser's cookie handling a virtual user needs: remember name=value per origin, honour deletion.

export class CookieJar {
  readonly #cookies = new Map<string, string>()
  #header: string | null = null

  /** Takes the Set-Cookie header(s) of a response. */
  store (setCookie: string | string[] | undefined): void {
    if (setCookie === undefined) return
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) this.#storeOne(line)
  }

  /** The Cookie header to send, or null when empty. */
  header (): string | null {
    if (this.#header === null && this.#cookies.size > 0) {
      this.#header = [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    }
    return this.#header
  }

  get size (): number {
    return this.#cookies.size
  }

  #storeOne (line: string): void {
    const semi = line.indexOf(';')
    const pair = semi === -1 ? line : line.slice(0, semi)
    const eq = pair.indexOf('=')
    if (eq <= 0) return
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    this.#header = null
    if (semi !== -1 && isExpired(line.slice(semi + 1))) this.#cookies.delete(name)
    else this.#cookies.set(name, value)
  }
}

function isExpired (attributes: string): boolean {
  for (const attr of attributes.split(';')) {
    const [rawKey, ...rest] = attr.split('=')
    const key = rawKey.trim().toLowerCase()
    const value = rest.join('=').trim()
    if (key === 'max-age' && Number(value) <= 0) return true
    if (key === 'expires') {
      const at = Date.parse(value.replace(/-/g, ' '))
      if (!Number.isNaN(at) && at <= Date.now()) return true
    }
  }
  return false
}
