// Validates a merged config object once: applies schema defaults, converts durations and sizes, and reports every
// problem at once as `file: key.path: expected X, got Y` lines (like fastify's initial-config-validation).
import AjvModule, { type ErrorObject } from 'ajv'
import type { DataValidationCxt } from 'ajv/dist/types/index.js'
import type { TSchema } from '@sinclair/typebox'
import { ADDRESS_EXPECTATION, isAddressSpec } from './address-list.js'
import { formatBytes, formatDuration, parseBytes, parseDuration } from './units.js'

const Ajv = AjvModule.default

export interface ConfigProblem {
  /** Dotted key path, e.g. `rateLimit.ip.max` or `cache.rules[2].ttl`. */
  path: string
  message: string
}

type UnitValidator = ((schema: string, data: unknown, parentSchema?: unknown, cxt?: DataValidationCxt) => boolean) &
{ errors?: Partial<ErrorObject>[] }

const unitValidator: UnitValidator = function validateUnit (unit, data, parentSchema, cxt) {
  const parsed = unit === 'duration' ? parseDuration(data) : parseBytes(data)
  const minimum = (parentSchema as { minimum?: number } | undefined)?.minimum
  if (parsed === undefined || (minimum !== undefined && parsed < minimum)) {
    unitValidator.errors = [{ keyword: 'x-unit', message: 'unit', params: { unit, value: data, minimum } }]
    return false
  }
  if (cxt !== undefined && cxt.parentData !== undefined) {
    (cxt.parentData as Record<string | number, unknown>)[cxt.parentDataProperty] = parsed
  }
  return true
}

export function compileConfigValidator (schema: TSchema): (data: unknown) => ConfigProblem[] {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: false })
  ajv.addKeyword({ keyword: 'x-unit', modifying: true, errors: true, validate: unitValidator })
  ajv.addKeyword({ keyword: 'x-address', errors: false, validate: (_on: boolean, data: unknown) => isAddressSpec(data) })
  const validate = ajv.compile(schema)
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
