// Purge by regular expression over stored URLs. The pattern comes from an operator (admin API, CLI) or from the
// purge broadcast, and runs against every stored key, so one with catastrophic backtracking would stall the
// process: patterns with nested quantifiers (star height > 1, safe-regex2, the check find-my-way uses for routes),
// too many repetitions or more than MAX_REGEX_LENGTH characters are refused before they run.
import safeRegex from 'safe-regex2'
import { SIPUP_ERR_CACHE_PURGE_INVALID } from '../../errors.js'

/** Longest pattern accepted. */
export const MAX_REGEX_LENGTH = 256

/** Compiles a purge pattern or throws a coded 400 saying why it is refused. */
export function compilePurgeRegex (source: unknown): RegExp {
  if (typeof source !== 'string' || source === '') throw new SIPUP_ERR_CACHE_PURGE_INVALID(`regex: expected a non-empty string, got ${JSON.stringify(source)?.slice(0, 80)}`)
  if (source.length > MAX_REGEX_LENGTH) throw new SIPUP_ERR_CACHE_PURGE_INVALID(`regex: expected at most ${MAX_REGEX_LENGTH} characters, got ${source.length}`)
  let re: RegExp
  try {
    re = new RegExp(source)
  } catch (err) {
    throw new SIPUP_ERR_CACHE_PURGE_INVALID(`regex: not a valid regular expression: ${(err as Error).message}`)
  }
  if (!safeRegex(source)) {
    throw new SIPUP_ERR_CACHE_PURGE_INVALID(`regex: refused '${source.slice(0, 80)}': nested or too many quantifiers can take exponential time (catastrophic backtracking); write it without a repeated group that repeats inside`)
  }
  return re
}

/** For stores (whose purge never rejects): the compiled pattern, or null when it is refused (callers checked it). */
export function purgeRegexOrNull (source: string): RegExp | null {
  try { return compilePurgeRegex(source) } catch { return null }
}

/** The part of a cache key a purge regex is matched against: path and normalized query (`/product.php?id=42`). */
export function keyUrl (key: string): string {
  const tab = key.indexOf('\t')
  return tab === -1 ? key : key.slice(0, tab)
}
