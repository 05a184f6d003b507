// proxy.streamPaths: which request paths keep streaming their bodies while requestBuffering is on. Compiled once
// into one regular expression; `*` matches any characters (slashes too), `?` one, everything else is literal.
import { globSource } from '../core/origin-path.js'

/** A test of the request URL (origin form, query ignored), or null when no path streams. */
export function compileStreamPaths (globs: readonly string[]): ((url: string) => boolean) | null {
  if (globs.length === 0) return null
  const re = new RegExp(`^(?:${globs.map(g => globSource(g, 'any')).join('|')})$`)
  return url => {
    const q = url.indexOf('?')
    return re.test(q === -1 ? url : url.slice(0, q))
  }
}
