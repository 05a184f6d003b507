// Endpoint rules match on the path the origin will act on, not the bytes the client sent: `/%6cogin.php`,
// `//login.php` and `/x/../login.php` all reach login.php on Apache/PHP, so they must hit its rule too.

/**
 * The request path without query, percent-decoded, with repeated slashes collapsed and dot segments resolved
 * (RFC 3986 §5.2.4). Returns null when the path cannot be decoded (the caller then matches the raw path).
 */
export function normalizePath (url: string): string | null {
  const q = url.indexOf('?')
  let path = q === -1 ? url : url.slice(0, q)
  const h = path.indexOf('#')
  if (h !== -1) path = path.slice(0, h)
  // Fast path: nothing to decode or resolve (the usual case).
  if (!/%|\/\/|\/\.|\\/.test(path)) return path
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return null
  }
  // IIS-style backslashes are separators for some origins; treat them as slashes for matching.
  const segments = decoded.replace(/\\/g, '/').split('/')
  const out: string[] = []
  for (const seg of segments) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') out.pop()
    else out.push(seg)
  }
  const trailing = decoded.endsWith('/') && out.length > 0 ? '/' : ''
  return '/' + out.join('/') + trailing
}

/** Compiles a path glob: `*` matches within one segment, `**` across segments; everything else is literal. */
export function compileGlob (glob: string): RegExp {
  let re = '^'
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*'
        i++
      } else {
        re += '[^/]*'
      }
    } else {
      re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    }
  }
  return new RegExp(re + '$')
}
