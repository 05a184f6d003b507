// Resolves the frozen `jobs:` section once into the params every part of the engine reads: secrets from the
// environment, URLs made absolute, payload schemas compiled, cron expressions parsed. Anything that can't work
// throws SIPUP_ERR_JOBS_CONFIG naming the key, so a bad config stops start-up instead of failing the first job.
import { isAbsolute, resolve } from 'node:path'
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { Cron } from 'croner'
import { SIPUP_ERR_JOBS_CONFIG } from '../../errors.js'
import type { JobsSection, JobTypeConfig, Priority } from './schema.js'

const Ajv = AjvModule.default
const addFormats = addFormatsModule.default

/** One payload problem, as the 400 answer lists it. */
export interface PayloadProblem {
  /** JSON pointer-ish dotted path of the field (`to`, `items[2].sku`), `(payload)` for the whole body. */
  field: string
  message: string
  /** In a batch: index of the job in the array the problem is about. */
  item?: number
}

export interface JobTypeParams {
  readonly name: string
  readonly handler: 'http' | 'email' | 'module'
  /** Absolute callback URL (`http`), absolute module path (`module`), '' otherwise. */
  readonly target: string
  readonly priority: Priority
  readonly attempts: number
  readonly backoffMs: number
  readonly maxBackoffMs: number
  readonly jitter: number
  readonly timeoutMs: number
  readonly concurrency: number
  readonly rateLimit: number
  readonly rateWindowMs: number
  /** The secret requests for this type must use, and callbacks are signed with ('' = none configured). */
  readonly secret: string
  readonly validate: (payload: unknown) => PayloadProblem[]
}

export interface ScheduleParams {
  readonly name: string
  readonly cron: Cron
  readonly type: string
  readonly payload: unknown
  readonly catchUp: 'one' | 'none'
}

export interface JobsParams {
  readonly section: JobsSection
  readonly types: ReadonlyMap<string, JobTypeParams>
  readonly schedules: readonly ScheduleParams[]
  readonly secret: string
}

export interface ResolveOptions {
  /** Where `secretEnv` is read. @default process.env */
  env?: NodeJS.ProcessEnv
  /** Base of `http` URLs given as a path when `jobs.http.baseUrl` is empty (the plugin passes `upstream.url`). */
  httpBaseUrl?: string
  /** Resolves relative module paths. @default process.cwd() */
  cwd?: string
}

function fail (key: string, expected: string, got: unknown): never {
  throw new SIPUP_ERR_JOBS_CONFIG(key, expected, typeof got === 'string' ? got : JSON.stringify(got))
}

/** Ajv errors as `field: message` pairs, the field named the way a PHP developer reads it. */
export function payloadProblems (errors: readonly ErrorObject[]): PayloadProblem[] {
  return errors.map(e => {
    const parts = e.instancePath.split('/').slice(1).map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    if (e.keyword === 'required') parts.push(String((e.params as { missingProperty: string }).missingProperty))
    if (e.keyword === 'additionalProperties') parts.push(String((e.params as { additionalProperty: string }).additionalProperty))
    const field = parts.reduce((acc, p) => /^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`, '')
    const message = e.keyword === 'required'
      ? 'is required'
      : e.keyword === 'additionalProperties' ? 'is not allowed' : (e.message ?? 'is invalid')
    return { field: field === '' ? '(payload)' : field, message }
  })
}

function compilePayloadSchema (ajv: InstanceType<typeof Ajv>, key: string, schema: Readonly<Record<string, unknown>>): (payload: unknown) => PayloadProblem[] {
  let validate: ValidateFunction
  try {
    // A copy: Ajv annotates schemas it compiles, and the config is frozen.
    validate = ajv.compile(structuredClone({ type: 'object', ...schema }))
  } catch (err) {
    return fail(`${key}.schema`, 'a JSON schema Ajv can compile', (err as Error).message)
  }
  return payload => validate(payload) ? [] : payloadProblems(validate.errors ?? [])
}

function resolveType (t: JobTypeConfig, i: number, section: JobsSection, ajv: InstanceType<typeof Ajv>, opts: ResolveOptions): JobTypeParams {
  const key = `types[${i}]`
  let target = ''
  if (t.handler === 'http') {
    if (t.url === '') fail(`${key}.url`, 'a URL or a path for the http handler', t.url)
    const base = section.http.baseUrl !== '' ? section.http.baseUrl : (opts.httpBaseUrl ?? '')
    try {
      target = new URL(t.url, base === '' ? undefined : base).href
    } catch {
      fail(`${key}.url`, base === '' ? 'an absolute http(s) URL (no jobs.http.baseUrl to resolve a path against)' : 'a URL or a path', t.url)
    }
    if (!/^https?:$/.test(new URL(target).protocol)) fail(`${key}.url`, 'an http: or https: URL', t.url)
  } else if (t.handler === 'module') {
    if (t.module === '') fail(`${key}.module`, 'the path of a JS module for the module handler', t.module)
    target = isAbsolute(t.module) ? t.module : resolve(opts.cwd ?? process.cwd(), t.module)
  }
  if (t.maxBackoff < t.backoff) fail(`${key}.maxBackoff`, `at least backoff (${t.backoff} ms)`, `${t.maxBackoff} ms`)
  if (t.rateLimit > 0 && t.rateWindow < 1) fail(`${key}.rateWindow`, 'at least 1ms', t.rateWindow)
  const env = opts.env ?? process.env
  let secret = t.secret !== '' ? t.secret : section.secret
  if (t.secretEnv !== '') {
    const fromEnv = env[t.secretEnv]
    if (fromEnv === undefined || fromEnv === '') fail(`${key}.secretEnv`, `environment variable ${t.secretEnv} to be set`, 'unset')
    secret = fromEnv
  }
  return {
    name: t.name,
    handler: t.handler,
    target,
    priority: t.priority,
    attempts: t.attempts,
    backoffMs: t.backoff,
    maxBackoffMs: t.maxBackoff,
    jitter: t.jitter,
    timeoutMs: t.timeout,
    concurrency: Math.min(t.concurrency, section.concurrency),
    rateLimit: t.rateLimit,
    rateWindowMs: t.rateWindow,
    secret,
    validate: compilePayloadSchema(ajv, key, t.schema)
  }
}

export function resolveJobsParams (section: JobsSection, opts: ResolveOptions = {}): JobsParams {
  const ajv = new Ajv({ allErrors: true, strict: false })
  addFormats(ajv)
  const types = new Map<string, JobTypeParams>()
  section.types.forEach((t, i) => {
    if (types.has(t.name)) fail(`types[${i}].name`, 'a name no other type has', t.name)
    types.set(t.name, resolveType(t, i, section, ajv, opts))
  })
  const names = new Set<string>()
  const schedules = section.schedules.map((s, i): ScheduleParams => {
    const key = `schedules[${i}]`
    if (names.has(s.name)) fail(`${key}.name`, 'a name no other schedule has', s.name)
    names.add(s.name)
    const type = types.get(s.type)
    if (type === undefined) fail(`${key}.type`, `one of jobs.types (${[...types.keys()].join(', ') || 'none defined'})`, s.type)
    const timezone = s.timezone !== '' ? s.timezone : section.timezone
    let cron: Cron
    let next: Date | null
    try {
      cron = new Cron(s.cron, { timezone, paused: true })
      next = cron.nextRun()
    } catch (err) {
      return fail(`${key}.cron`, `a cron expression in time zone ${timezone} (${(err as Error).message})`, s.cron)
    }
    if (next === null) fail(`${key}.cron`, 'an expression with a future tick', s.cron)
    const problems = type.validate(s.payload)
    if (problems.length > 0) fail(`${key}.payload`, `a payload of type ${s.type} (${problems.map(p => `${p.field} ${p.message}`).join('; ')})`, s.payload)
    return { name: s.name, cron, type: s.type, payload: s.payload, catchUp: s.catchUp }
  })
  return { section, types, schedules, secret: section.secret }
}
