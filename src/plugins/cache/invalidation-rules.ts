// `cache.invalidate` compiled once at start-up: per unsafe request, the purges its success triggers, with the
// path's `*` captures put into the `$1`..`$9` references. Config mistakes throw SIPUP_ERR_CACHE_RULE_INVALID naming
// the key.
import { SIPUP_ERR_CACHE_RULE_INVALID } from '../../errors.js'
import type { DeepReadonly } from '../../config/deep-readonly.js'
import type { InvalidateRuleConfig } from './invalidate-schema.js'

/** What one successful request purges. */
export interface PurgePlan {
  prefixes: string[]
  urls: string[]
  tags: string[]
}

interface CompiledInvalidation {
  readonly methods: ReadonlySet<string>
  readonly path: RegExp
  readonly prefixes: readonly string[]
  readonly urls: readonly string[]
  readonly tags: readonly string[]
}

const REF = /\$([1-9])/g

/** `*` any run (captured), `?` one character; everything else literal. */
function captureGlob (glob: string): RegExp {
  let src = '^'
  for (const ch of glob) {
    if (ch === '*') src += '(.*)'
    else if (ch === '?') src += '.'
    else src += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(src + '$')
}

export class InvalidationRules {
  /** Every method some rule names: other requests cost one Set lookup. */
  readonly methods: ReadonlySet<string>
  readonly #rules: readonly CompiledInvalidation[]

  constructor (config: DeepReadonly<InvalidateRuleConfig[]>) {
    this.#rules = config.map((r, i) => compile(r, i))
    this.methods = new Set(this.#rules.flatMap(r => [...r.methods]))
  }

  get size (): number { return this.#rules.length }

  /** The purges a request of this method and path (no query) triggers when it succeeds, or null. */
  match (method: string, path: string): PurgePlan | null {
    let plan: PurgePlan | null = null
    for (const r of this.#rules) {
      if (!r.methods.has(method)) continue
      const m = r.path.exec(path)
      if (m === null) continue
      plan ??= { prefixes: [], urls: [], tags: [] }
      fill(plan.prefixes, r.prefixes, m)
      fill(plan.urls, r.urls, m)
      fill(plan.tags, r.tags, m)
    }
    return plan
  }
}

/** Adds each template with its references replaced; one that refers to an empty capture is left out (a prefix
 * `/product/$1` with nothing captured would purge every product). */
function fill (out: string[], templates: readonly string[], m: RegExpExecArray): void {
  for (const t of templates) {
    let empty = false
    const v = t.replace(REF, (_all, n: string) => {
      const c = m[Number(n)] ?? ''
      if (c === '') empty = true
      return c
    })
    if (!empty && !out.includes(v)) out.push(v)
  }
}

function compile (r: DeepReadonly<InvalidateRuleConfig>, i: number): CompiledInvalidation {
  const at = `cache.invalidate[${i}]`
  const fail = (key: string, expected: string, got: unknown): never => {
    throw new SIPUP_ERR_CACHE_RULE_INVALID(`${at}.${key}`, expected, typeof got === 'string' ? got : JSON.stringify(got))
  }
  const path = captureGlob(r.path)
  const stars = (r.path.match(/\*/g) ?? []).length
  const p = r.purge
  if (p.prefixes.length + p.urls.length + p.tags.length === 0) fail('purge', 'at least one of prefixes, urls or tags', p)
  const checkRefs = (key: string, list: readonly string[]): void => {
    list.forEach((v, j) => {
      for (const m of v.matchAll(REF)) {
        if (Number(m[1]) > stars) fail(`purge.${key}[${j}]`, `references $1..$${stars} (the path has ${stars} *)`, v)
      }
    })
  }
  p.prefixes.forEach((v, j) => { if (!v.startsWith('/')) fail(`purge.prefixes[${j}]`, 'a path starting with /', v) })
  p.urls.forEach((v, j) => {
    if (v.startsWith('/')) return
    let ok = false
    try { ok = ['http:', 'https:'].includes(new URL(v.replace(REF, '1')).protocol) } catch { ok = false }
    if (!ok) fail(`purge.urls[${j}]`, 'a path starting with / or an http(s) URL', v)
  })
  checkRefs('prefixes', p.prefixes)
  checkRefs('urls', p.urls)
  checkRefs('tags', p.tags)
  return { methods: new Set(r.methods), path, prefixes: p.prefixes, urls: p.urls, tags: p.tags }
}
