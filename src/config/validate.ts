// Validates a merged config object once: applies schema defaults, converts durations and sizes, and reports every
// problem at once as `file: key.path: expected X, got Y` lines (like fastify's initial-config-validation).
import { createHash } from 'node:crypto'
import type { ErrorObject } from 'ajv'
import type { TSchema } from '@sinclair/typebox'
import { ADDRESS_EXPECTATION } from './address-list.js'
import { createConfigAjv } from './keywords.js'
import { formatBytes, formatDuration } from './units.js'

export interface ConfigProblem {
  /** Dotted key path, e.g. `rateLimit.ip.max` or `cache.rules[2].ttl`. */
  path: string
  message: string
}

/** An Ajv validate function, compiled now or generated ahead of time (src/config/generated/). */
export interface SchemaValidate {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}

/** A module of src/config/generated/: the validator and the hash of the schema it was generated from. */
export interface PrecompiledValidator {
  readonly validate: SchemaValidate
  readonly schemaHash: string
}

export type ConfigValidator = (data: unknown) => ConfigProblem[]

/** Identifies a schema by its JSON (TypeBox's symbol keys don't show), to tell whether a generated validator fits. */
export function schemaHash (schema: TSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex')
}

/** Compiles `schema` now (Ajv takes most of a second for the sidecar's): for schemas known only at run time. */
export function compileConfigValidator (schema: TSchema): ConfigValidator {
  return toProblems(createConfigAjv().compile(schema))
}

/**
 * The generated validator when it was generated from this very schema, else one compiled now: a schema edited
 * without `npm run gen:config` still validates as written (slowly; test/config/generated-files.case.ts fails).
 */
export function configValidator (schema: TSchema, precompiled?: PrecompiledValidator): ConfigValidator {
  const fits = precompiled !== undefined && precompiled.schemaHash === schemaHash(schema)
  return fits ? toProblems(precompiled.validate) : compileConfigValidator(schema)
}

function toProblems (validate: SchemaValidate): ConfigValidator {
  return (data: unknown) => {
    if (validate(data)) return []
    return formatErrors(validate.errors ?? [])
  }
}

function formatErrors (errors: ErrorObject[]): ConfigProblem[] {
  // Unions produce one error per branch plus one for the union; keep the outermost error for each key path.
  const byPath = new Map<string, ErrorObject>()
  for (const err of errors) {
    const path = errorPath(err)
    const prev = byPath.get(path)
    if (prev === undefined || err.schemaPath.length < prev.schemaPath.length) byPath.set(path, err)
  }
  return [...byPath].map(([path, err]) => ({ path, message: describe(err) }))
}

function errorPath (err: ErrorObject): string {
  const base = pointerToPath(err.instancePath)
  if (err.keyword === 'additionalProperties') return join(base, String(err.params.additionalProperty))
  if (err.keyword === 'required') return join(base, String(err.params.missingProperty))
  return base
}

function join (base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`
}

function pointerToPath (pointer: string): string {
  let out = ''
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(seg) ? `[${seg}]` : (out === '' ? seg : `.${seg}`)
  }
  return out
}

function describe (err: ErrorObject): string {
  if (err.keyword === 'additionalProperties') {
    const allowed = Object.keys((err.parentSchema as { properties?: object } | undefined)?.properties ?? {})
    const bad = String(err.params.additionalProperty)
    const hint = closest(bad, allowed)
    return `unknown key${hint === undefined ? '' : ` (did you mean '${hint}'?)`}; expected one of: ${allowed.join(', ')}`
  }
  if (err.keyword === 'required') {
    const schema = (err.parentSchema as { properties?: Record<string, TSchema> } | undefined)?.properties?.[String(err.params.missingProperty)]
    return `missing; expected ${schema === undefined ? 'a value' : expectation(schema)}`
  }
  // Errors raised by our own keyword don't get Ajv's verbose fields, so they carry unit and value in params.
  if (err.keyword === 'x-unit') {
    const schema = { 'x-unit': err.params.unit, minimum: err.params.minimum } as unknown as TSchema
    return `expected ${expectation(schema)}, got ${show(err.params.value)}`
  }
  return `expected ${expectation(err.parentSchema as TSchema)}, got ${show(err.data)}`
}

/** Plain-words description of what a schema accepts, e.g. `integer >= 1`, `one of a, b`. */
export function expectation (schema: TSchema): string {
  const s = schema as Record<string, unknown>
  if (s['x-address'] === true) return ADDRESS_EXPECTATION
  if (s['x-unit'] === 'duration' || s['x-unit'] === 'bytes') {
    const min = typeof s.minimum === 'number' && s.minimum > 0
      ? ` of at least ${s['x-unit'] === 'duration' ? formatDuration(s.minimum) : formatBytes(s.minimum)}`
      : ''
    return s['x-unit'] === 'duration' ? `a duration like 250ms, 30s, 5m, 1h${min}` : `a size like 512KB, 16MB, 1GB${min}`
  }
  if (Array.isArray(s.anyOf)) {
    const consts = (s.anyOf as Record<string, unknown>[]).map(b => b.const)
    if (consts.every(c => c !== undefined)) return `one of ${consts.map(c => JSON.stringify(c)).join(', ')}`
    return (s.anyOf as TSchema[]).map(expectation).join(' or ')
  }
  if (Array.isArray(s.enum)) return `one of ${(s.enum as unknown[]).map(v => JSON.stringify(v)).join(', ')}`
  if (s.const !== undefined) return JSON.stringify(s.const)
  switch (s.type) {
    case 'integer':
    case 'number': {
      const min = s.minimum as number | undefined
      const max = s.maximum as number | undefined
      const t = s.type as string
      if (min !== undefined && max !== undefined) return `${t} between ${min} and ${max}`
      if (min !== undefined) return `${t} >= ${min}`
      if (max !== undefined) return `${t} <= ${max}`
      return t
    }
    case 'string': {
      const parts = ['string']
      if (typeof s.minLength === 'number' && s.minLength > 0) parts.push('(non-empty)')
      if (typeof s.pattern === 'string') parts.push(`matching /${s.pattern}/`)
      return parts.join(' ')
    }
    case 'boolean': return 'true or false'
    case 'array': return 'a list'
    case 'object': return 'a mapping of keys'
    default: return 'a valid value'
  }
}

function show (value: unknown): string {
  if (value === undefined) return 'nothing'
  const text = JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}

/** The candidate nearest to `word` by edit distance, if near enough to be the typo it probably is. */
export function closest (word: string, candidates: string[]): string | undefined {
  let best: string | undefined
  let bestDist = Math.max(2, Math.floor(word.length / 3)) + 1
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase())
    if (d < bestDist) { best = c; bestDist = d }
  }
  return best
}

function editDistance (a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length]
}
