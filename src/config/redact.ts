// Secrets never leave the process through the admin: the dashboard's config view, logs of the effective config and
// `check-config` output go through redact(). Matching is by key name (token, password, secret, ...Key) and by
// credentials inside URLs, because a secret can sit under any key (e.g. a password in mysql.url).

export const REDACTED = '[redacted]'

// Matched on the last word of a camelCase/snake_case key: `token`, `adminToken`, `passwordHash`, `client_secret`,
// `apiKey`, `hmac_key`. `keyPrefix`, `tokens` (a limit) and `monkey` are not secrets. A bare `key` is not either: in
// this config it names what something is keyed on (`rateLimit.rules[].key: ip`), and hiding that makes the view
// useless; a compound `...Key` is a key (`signingKey`, `hmac_key`), unless it says it is public.
const SECRET_LAST_WORD = new Set(['token', 'password', 'passwd', 'pwd', 'secret', 'hash', 'apikey',
  'credential', 'credentials', 'signature', 'passphrase'])
const NOT_SECRET_KEY = new Set(['public', 'cache', 'sort', 'primary', 'foreign', 'partition', 'group', 'rate'])
const SECRET_ANYWHERE = /password|passwd|secret|credential|private.?key|api.?key|auth.?token|access.?token/i
const WORD_BREAK = /[_\-.\s]+|(?<=[a-z0-9])(?=[A-Z])/

/** True when a value stored under `key` is presumed secret. */
export function isSecretKey (key: string): boolean {
  if (SECRET_ANYWHERE.test(key)) return true
  const words = key.split(WORD_BREAK)
  const last = words[words.length - 1].toLowerCase()
  if (last === 'key') return words.length > 1 && !NOT_SECRET_KEY.has(words[words.length - 2].toLowerCase())
  return SECRET_LAST_WORD.has(last)
}

const URL_WITH_CREDENTIALS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s]*)@/i

/** `mysql://shop:s3cret@db/shop` → `mysql://shop:[redacted]@db/shop`; secret-looking query parameters too. */
export function redactUrl (value: string): string {
  let out = value.replace(URL_WITH_CREDENTIALS, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':')
    return colon === -1 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`
  })
  const q = out.indexOf('?')
  if (q !== -1 && out.includes('://')) {
    out = out.slice(0, q + 1) + out.slice(q + 1).replace(/([^&#=]+)=([^&#]*)/g, (m, k: string) =>
      isSecretKey(decodeSafe(k)) ? `${k}=${REDACTED}` : m)
  }
  return out
}

function decodeSafe (s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * A deep copy of `value` with secrets replaced by "[redacted]". An empty secret stays empty, so the view still
 * shows that none is configured. Objects under a key-ish name (`cacheKey: { ... }`) are walked, not hidden.
 */
export function redact<T> (value: T): T {
  return walk(value, '') as T
}

function walk (value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map(v => walk(v, key))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, k)
    return out
  }
  if (key !== '' && isSecretKey(key) && value !== '' && value !== null && value !== undefined &&
    typeof value !== 'boolean') {
    return REDACTED
  }
  if (typeof value === 'string' && value.includes('://')) return redactUrl(value)
  return value
}
