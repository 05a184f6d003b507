// Which lane a waiting request goes to: `upstream.lanes.rules`, compiled once, first match wins. Only requests that
// have to wait are classified, so the path with room at the origin pays nothing for it. Lanes order service, they
// are no security boundary: a client can claim a cookie or a header, so give `high` to what a real user sends
// (a session, a checkout POST), never to something a bot gains from faking.
import type { IncomingHttpHeaders } from 'node:http'
import type { CoreConfig } from '../../config/core-schema.js'
import { compileGlob } from '../../core/origin-path.js'
import { SIPUP_ERR_UPSTREAM_GUARD_CONFIG } from '../../errors.js'
import { laneIndex, type Lane } from './lane-queue.js'

type LanesConfig = CoreConfig['upstream']['lanes']

interface CompiledLaneRule {
  readonly lane: Lane
  readonly methods: ReadonlySet<string> | null
  readonly paths: readonly RegExp[] | null
  readonly cookie: RegExp | null
  readonly header: string | null
  readonly contains: readonly string[] | null
  readonly field: string | null
  readonly fieldIn: ReadonlySet<string> | null
}

export interface LaneRequest {
  method: string
  /** Request target: path and query. */
  url: string
  headers: IncomingHttpHeaders
  /** A request field's value (src/core/types.ts RequestField), null when unset or no plugin defines it. */
  field (name: string): string | null
}

function escapeRegExp (s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

export class LaneRules {
  readonly #rules: readonly CompiledLaneRule[]
  readonly #default: Lane

  constructor (cfg: LanesConfig) {
    this.#default = laneIndex(cfg.default)
    this.#rules = cfg.rules.map((r, i) => {
      if (r.headerContains.length > 0 && r.header === '') {
        throw new SIPUP_ERR_UPSTREAM_GUARD_CONFIG(`lanes.rules[${i}].header`, 'a header name when headerContains is set', '')
      }
      if (r.fieldIn.length > 0 && r.field === '') {
        throw new SIPUP_ERR_UPSTREAM_GUARD_CONFIG(`lanes.rules[${i}].field`, 'a request field name when fieldIn is set', '')
      }
      if (/[=;,\s]/.test(r.cookie)) {
        throw new SIPUP_ERR_UPSTREAM_GUARD_CONFIG(`lanes.rules[${i}].cookie`, 'a cookie name (no =, ;, comma or space)', r.cookie)
      }
      return {
        lane: laneIndex(r.lane),
        methods: r.methods.length === 0 ? null : new Set(r.methods.map(m => m.toUpperCase())),
        paths: r.paths.length === 0 ? null : r.paths.map(g => compileGlob(g, 'segments')),
        cookie: r.cookie === '' ? null : new RegExp(`(?:^|;)\\s*${escapeRegExp(r.cookie)}=`),
        header: r.header === '' ? null : r.header.toLowerCase(),
        contains: r.headerContains.length === 0 ? null : r.headerContains.map(s => s.toLowerCase()),
        field: r.field === '' ? null : r.field,
        fieldIn: r.fieldIn.length === 0 ? null : new Set(r.fieldIn)
      }
    })
  }

  classify (req: LaneRequest): Lane {
    const rules = this.#rules
    if (rules.length === 0) return this.#default
    const q = req.url.indexOf('?')
    const path = q === -1 ? req.url : req.url.slice(0, q)
    for (const r of rules) {
      if (r.methods !== null && !r.methods.has(req.method)) continue
      if (r.paths !== null && !r.paths.some(p => p.test(path))) continue
      if (r.cookie !== null) {
        const c = req.headers.cookie
        if (c === undefined || !r.cookie.test(c)) continue
      }
      if (r.header !== null) {
        const v = req.headers[r.header]
        if (v === undefined) continue
        if (r.contains !== null) {
          const value = (Array.isArray(v) ? v.join(',') : v).toLowerCase()
          if (!r.contains.some(s => value.includes(s))) continue
        }
      }
      if (r.field !== null) {
        const v = req.field(r.field)
        if (v === null || (r.fieldIn !== null && !r.fieldIn.has(v))) continue
      }
      return r.lane
    }
    return this.#default
  }
}
