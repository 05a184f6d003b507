// Path globs for config rules: `*` matches within one path segment, `**` across segments, everything else is
// literal. The semantics of rateLimit.rules[].path (src/plugins/rate-limit/path-match.ts), in a home the core and
// the proxy can import too.

export function compilePathGlob (glob: string): RegExp {
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
