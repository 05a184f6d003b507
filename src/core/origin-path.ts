// Path matching that models the origin: a rule must match every spelling of a path that the origin runs as the
// same script, not only the bytes the client sent. Shared by the cache rules and the rate-limit rules, so a limit
// and a bypass see a path the same way. What Apache/PHP and Windows (XAMPP, IIS) treat as one script:
//   `/%6cogin.php`, `/login%2ephp`   percent-encoding (decoded before matching)
//   `//login.php`, `/x/../login.php` repeated slashes, dot segments, `\` as a separator (IIS)
//   `/login.php;jsessionid=1`        `;` path parameters (stripped per segment)
//   `/login.php.`, `/login.php%20`   trailing dots and spaces (Windows drops them from file names)
//   `/login.php/x`                   PATH_INFO (Apache runs login.php): a pattern option, see `pathInfo`
//   `/LOGIN.php`                     case (Windows): a pattern option, see `caseInsensitive`

import { RE2JS } from 're2js'

/** What a compiled rule path offers: a RegExp (globs) or an RE2 matcher (configured regular expressions). */
export interface PathMatcher {
  test(path: string): boolean
}

export interface PathMatchOptions {
  /** Letters match regardless of case. */
  readonly caseInsensitive: boolean
  /** A pattern whose last segment names a file (`/x.php`) also covers `/x.php/...` (PATH_INFO). */
  readonly pathInfo: boolean
}

/** Glob dialects: rate-limit rules (`*` within a segment, `**` across) and cache rules (`*` any run, `?` one char). */
export type GlobDialect = 'segments' | 'any'

// Anything that may make the path differ from its canonical spelling; the usual path has none of these.
const NEEDS_WORK = /[%;\\]|\/\/|\/\.|[. ](?:\/|$)/

/**
 * The path the origin acts on: no query or fragment, percent-decoded, `\` read as `/`, `;` parameters, trailing
 * dots and spaces of each segment dropped, repeated slashes collapsed and dot segments resolved (RFC 3986 §5.2.4).
 * Never throws: bytes that are not UTF-8 stay encoded (rules are written in ASCII).
 */
export function originPath (url: string): string {
  let end = url.length
  const q = url.indexOf('?')
  if (q !== -1) end = q
  const h = url.indexOf('#')
  if (h !== -1 && h < end) end = h
  const path = end === url.length ? url : url.slice(0, end)
  if (!NEEDS_WORK.test(path)) return path
  const segments = decode(path).split(/[/\\]/)
  const out: string[] = []
  for (let seg of segments) {
    const semi = seg.indexOf(';')
    if (semi !== -1) seg = seg.slice(0, semi)
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      out.pop()
      continue
    }
    const trimmed = seg.replace(/[. ]+$/, '')
    if (trimmed === '') {
      // `.. ` and `...` : Windows reads the first as `..`; either way no file name is left.
      if (seg.startsWith('..')) out.pop()
      continue
    }
    out.push(trimmed)
  }
  const last = segments[segments.length - 1]
  const trailing = out.length > 0 && (last === '' || last === '.' || last === '..') ? '/' : ''
  return '/' + out.join('/') + trailing
}

function decode (path: string): string {
  if (!path.includes('%')) return path
  try {
    return decodeURIComponent(path)
  } catch {
    // Malformed or non-UTF-8 sequences (Apache passes them on as bytes): decode the ASCII ones only, so
    // `/%6cogin.php/%E0` still reads as login.php with PATH_INFO.
    return path.replace(/%([0-7][0-9a-fA-F])/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  }
}

/** A glob as regular-expression source (no anchors): the one translation every glob in the config goes through
 * (rule paths here, proxy.streamPaths, lanes, cache rules' host and query values). */
export function globSource (glob: string, dialect: GlobDialect): string {
  let src = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') {
      if (dialect === 'any') {
        src += '.*'
      } else if (glob[i + 1] === '*') {
        src += '.*'
        i++
      } else {
        src += '[^/]*'
      }
    } else if (c === '?' && dialect === 'any') {
      src += '.'
    } else {
      src += c.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')
    }
  }
  return src
}

/** A whole-string match of a glob, for values that are not paths (host names, query values). */
export function compileGlob (glob: string, dialect: GlobDialect, flags = ''): RegExp {
  return new RegExp(`^${globSource(glob, dialect)}$`, flags)
}

/** Compiles a rule's path glob into a matcher for `originPath()` output. */
export function compilePathGlob (glob: string, dialect: GlobDialect, opts: PathMatchOptions): RegExp {
  const pathInfo = opts.pathInfo && namesFile(glob) ? '(?:/.*)?' : ''
  return new RegExp(`^${globSource(glob, dialect)}${pathInfo}$`, opts.caseInsensitive ? 'i' : '')
}

/**
 * Compiles a rule's regular expression (matched against `originPath()` output; only case applies to it) with RE2,
 * whose matching time is linear in the path: a config regex like `^/(a+)+$` would cost V8's backtracking engine
 * seconds per request on a crafted path. Throws RE2's reason when the pattern is not RE2 syntax (lookaround and
 * backreferences have no linear-time match).
 */
export function compilePathRegex (source: string, opts: PathMatchOptions): PathMatcher {
  return RE2JS.compile(source, opts.caseInsensitive ? RE2JS.CASE_INSENSITIVE : 0)
}

/** Why a pattern can't be compiled by compilePathRegex, or null when it can. */
export function pathRegexProblem (source: string): string | null {
  try {
    RE2JS.compile(source)
    return null
  } catch (err) {
    return (err as Error).message
  }
}

/** True when the glob's last segment looks like a file (`x.php`, `*.php`) rather than a directory or prefix. */
function namesFile (glob: string): boolean {
  const last = glob.slice(glob.lastIndexOf('/') + 1)
  return last.includes('.') && !last.endsWith('*')
}
