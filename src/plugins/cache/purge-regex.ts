// Purge by regular expression over stored URLs. The pattern comes from an operator (admin API, CLI) or from the
// purge broadcast, and runs against every stored key, so one with catastrophic backtracking would stall the
// process. It is compiled with RE2 (compilePathRegex, the engine of the rules' pathRegex), whose matching time is
// linear in the URL whatever the pattern: `(a+)+` is as cheap as `a+`; what RE2 can't run in linear time (lookaround,
// backreferences) is refused with its reason, and so is a pattern longer than MAX_REGEX_LENGTH characters.
import { SIPUP_ERR_CACHE_PURGE_INVALID } from '../../errors.js'
import { compilePathRegex, type PathMatcher } from '../../core/origin-path.js'

/** Longest pattern accepted. */
export const MAX_REGEX_LENGTH = 256

/** A compiled purge pattern: its source (what the broadcast carries) and its linear-time test. */
export interface PurgeRegex extends PathMatcher {
  readonly source: string
}

/** Compiles a purge pattern or throws a coded 400 saying why it is refused. */
export function compilePurgeRegex (source: unknown): PurgeRegex {
  if (typeof source !== 'string' || source === '') throw new SIPUP_ERR_CACHE_PURGE_INVALID(`regex: expected a non-empty string, got ${JSON.stringify(source)?.slice(0, 80)}`)
  if (source.length > MAX_REGEX_LENGTH) throw new SIPUP_ERR_CACHE_PURGE_INVALID(`regex: expected at most ${MAX_REGEX_LENGTH} characters, got ${source.length}`)
  let re: PathMatcher
  try {
    re = compilePathRegex(source, { caseInsensitive: false, pathInfo: false })
  } catch (err) {
    throw new SIPUP_ERR_CACHE_PURGE_INVALID(`regex: refused '${source.slice(0, 80)}': ${(err as Error).message} (RE2 syntax: no lookaround or backreferences)`)
  }
  return { source, test: url => re.test(url) }
}

/** For stores (whose purge never rejects): the compiled pattern, or null when it is refused (callers checked it). */
export function purgeRegexOrNull (source: string): PurgeRegex | null {
  try { return compilePurgeRegex(source) } catch { return null }
}

/** The part of a cache key a purge regex is matched against: path and normalized query (`/product.php?id=42`). */
export function keyUrl (key: string): string {
  const tab = key.indexOf('\t')
  return tab === -1 ? key : key.slice(0, tab)
}
