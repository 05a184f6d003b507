// What the access log writes for a request's URL. Query strings carry secrets (password-reset tokens, API keys,
// signed links), so by default the log gets the path alone; `keys` adds the parameter names (enough to tell
// `?page=2` from `?id=7`), `full` the values too, except those of parameters named in log.redactQuery.
// Decided once at start-up; per request it is one indexOf on the common path (no query).
import { REDACTED } from '../config/redact.js'

export type QueryLogMode = 'none' | 'keys' | 'full'

function decodeName (s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' ')).toLowerCase()
  } catch {
    return s.toLowerCase()
  }
}

/** `user[password]` is redacted like `password`: PHP reads it as a field of `user`. */
function isRedacted (name: string, redact: ReadonlySet<string>): boolean {
  const n = decodeName(name)
  if (redact.has(n)) return true
  const open = n.lastIndexOf('[')
  if (open === -1) return false
  const inner = n.slice(open + 1, n.endsWith(']') ? -1 : undefined)
  return redact.has(inner) || redact.has(n.slice(0, n.indexOf('[')))
}

/** A function from request URL (origin form) to what the access log writes. */
export function queryLogger (mode: QueryLogMode, redactQuery: readonly string[]): (url: string) => string {
  if (mode === 'none') {
    return url => {
      const q = url.indexOf('?')
      return q === -1 ? url : url.slice(0, q)
    }
  }
  const redact = new Set(redactQuery.map(n => n.toLowerCase()))
  return url => {
    const q = url.indexOf('?')
    if (q === -1) return url
    const parts = url.slice(q + 1).split('&')
    const out: string[] = []
    for (const part of parts) {
      if (part === '') continue
      const eq = part.indexOf('=')
      const name = eq === -1 ? part : part.slice(0, eq)
      if (mode === 'keys') out.push(name)
      else out.push(eq === -1 ? part : isRedacted(name, redact) ? `${name}=${REDACTED}` : part)
    }
    return out.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${out.join('&')}`
  }
}
