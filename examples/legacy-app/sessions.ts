// PHP-style file sessions, kept in memory: PHPSESSID cookie, 26 chars of [0-9a-v] (session.sid_bits_per_character=5).
import { randomBytes } from 'node:crypto'

export interface Session {
  id: string
  /** null while anonymous. */
  user: string | null
  createdAt: number
}

const SID_ALPHABET = '0123456789abcdefghijklmnopqrstuv'
const SID_PATTERN = /^[0-9a-v]{26}$/
export const SESSION_COOKIE = 'PHPSESSID'

export function newSessionId (): string {
  const bytes = randomBytes(26)
  let id = ''
  for (let i = 0; i < 26; i++) id += SID_ALPHABET[bytes[i] & 31]
  return id
}

export function readCookie (header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq === -1) continue
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** Bounded: the oldest session is dropped first, so a load test with fresh cookies cannot exhaust memory. */
export class SessionStore {
  readonly #sessions = new Map<string, Session>()
  readonly #max: number

  constructor (max: number) {
    this.#max = max
  }

  get size (): number {
    return this.#sessions.size
  }

  get (id: string | undefined): Session | undefined {
    return id === undefined ? undefined : this.#sessions.get(id)
  }

  /** Like PHP with use_strict_mode=0, a well-formed but unknown id is adopted rather than replaced. */
  adopt (id: string | undefined): Session | undefined {
    if (id === undefined || !SID_PATTERN.test(id)) return undefined
    return this.get(id) ?? this.#put({ id, user: null, createdAt: Date.now() })
  }

  create (user: string | null = null): Session {
    return this.#put({ id: newSessionId(), user, createdAt: Date.now() })
  }

  destroy (id: string): void {
    this.#sessions.delete(id)
  }

  #put (session: Session): Session {
    if (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next().value
      if (oldest !== undefined) this.#sessions.delete(oldest)
    }
    this.#sessions.set(session.id, session)
    return session
  }
}
