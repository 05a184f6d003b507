// Loads the config once at start-up: config/default.yaml, then the user's file (-c / SIDECAR_CONFIG), then env
// overrides, then programmatic overrides; validates the merge; deep-freezes it. Every problem is reported at once,
// each naming the source that set the bad value. The schema is handed in (src/sidecar-config.ts composes the core's
// sections with the plugins'), so this module knows no plugin.
import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import type { TObject } from '@sinclair/typebox'
import { parseDocument } from 'yaml'
import { SIPUP_ERR_CONFIG_FILE, SIPUP_ERR_CONFIG_INVALID, SIPUP_ERR_CONFIG_YAML } from '../errors.js'
import { defaultConfigFile } from '../paths.js'
import { configValidator, type ConfigValidator, type PrecompiledValidator } from './validate.js'

type Plain = Record<string, unknown>

export interface ConfigSource {
  /** Where the values came from: a file path, `env`, or `overrides`. */
  name: string
  values: Plain
}

export interface LoadConfigOptions {
  /** The user's config file, merged over the defaults. */
  file?: string | undefined
  /** Environment to read overrides from. @default process.env */
  env?: NodeJS.ProcessEnv
  /** Values merged last (tests, embedding). */
  overrides?: Plain
  /** @default config/default.yaml of the package */
  defaultsFile?: string
}

export interface LoadedConfig<C> {
  config: C
  sources: readonly string[]
  /** The source that set the value at a key path (`cache.rules[0].pathRegex`), for problems found after loading. */
  blame(path: string): string
}

export interface ConfigIssue {
  source: string
  path: string
  message: string
}

/** An environment variable that overrides one key (URLs and secrets belong in the environment, not in YAML). */
export interface EnvOverride {
  path: readonly string[]
  type: 'string' | 'integer'
}

export type EnvOverrides = Readonly<Record<string, EnvOverride>>

/** The core's environment overrides; plugins declare theirs in their registry entry. */
export const CORE_ENV_OVERRIDES: EnvOverrides = {
  SIDECAR_UPSTREAM: { path: ['upstream', 'url'], type: 'string' },
  SIDECAR_HOST: { path: ['server', 'host'], type: 'string' },
  SIDECAR_PORT: { path: ['server', 'port'], type: 'integer' },
  SIDECAR_LOG_LEVEL: { path: ['log', 'level'], type: 'string' },
  SIDECAR_ADMIN_TOKEN: { path: ['admin', 'token'], type: 'string' },
  SIDECAR_ADMIN_SECRET: { path: ['admin', 'secret'], type: 'string' },
  REDIS_URL: { path: ['redis', 'url'], type: 'string' },
  MYSQL_URL: { path: ['mysql', 'url'], type: 'string' }
}

export interface ConfigSpec {
  /** The whole schema, every section with its defaults. */
  readonly schema: TObject
  readonly env: EnvOverrides
  /** The validator generated ahead of time for `schema` (src/config/generated/); used only when it was generated
   * from this very schema, else the schema is compiled on first use. */
  readonly precompiled?: PrecompiledValidator
}

export interface ConfigLoader<C> {
  readonly spec: ConfigSpec
  load(opts?: LoadConfigOptions): LoadedConfig<C>
  validateSources(sources: ConfigSource[]): LoadedConfig<C>
}

/** `C` is the frozen type the schema describes; the validator is set up on first use, once. */
export function createConfigLoader<C> (spec: ConfigSpec): ConfigLoader<C> {
  let validator: ConfigValidator | undefined
  const validateSources = (sources: ConfigSource[]): LoadedConfig<C> => {
    let merged: Plain = {}
    for (const s of sources) merged = merge(merged, structuredClone(s.values))
    validator ??= configValidator(spec.schema, spec.precompiled)
    const problems = validator(merged)
    if (problems.length > 0) {
      const issues: ConfigIssue[] = problems.map(p => ({ source: sourceOf(sources, p.path, spec.env), ...p }))
      const err = new SIPUP_ERR_CONFIG_INVALID(issues.map(formatIssue).join('\n'))
      Object.assign(err, { issues })
      throw err
    }
    // Validated against the schema C was derived from.
    return {
      config: deepFreeze(merged) as unknown as C,
      sources: sources.map(s => s.name),
      blame: path => blameOf(sources, path, spec.env)
    }
  }
  return {
    spec,
    validateSources,
    load (opts: LoadConfigOptions = {}) {
      const env = opts.env ?? process.env
      const sources: ConfigSource[] = [readYamlFile(opts.defaultsFile ?? defaultConfigFile)]
      const file = opts.file ?? (env.SIDECAR_CONFIG === '' ? undefined : env.SIDECAR_CONFIG)
      if (file !== undefined) sources.push(readYamlFile(file))
      const fromEnv = envSource(env, spec.env)
      if (Object.keys(fromEnv.values).length > 0) sources.push(fromEnv)
      if (opts.overrides !== undefined) sources.push({ name: 'overrides', values: opts.overrides })
      return validateSources(sources)
    }
  }
}

export function formatIssue (i: ConfigIssue): string {
  return `${i.source}: ${i.path}: ${i.message}`
}

function readYamlFile (path: string): ConfigSource {
  const name = displayPath(path)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    const e = cause as NodeJS.ErrnoException
    throw new SIPUP_ERR_CONFIG_FILE(name, e.code === 'ENOENT' ? 'no such file' : e.message, { cause })
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]
    const where = first.linePos?.[0]
    const at = where === undefined ? name : `${name}:${where.line}:${where.col}`
    throw new SIPUP_ERR_CONFIG_YAML(at, first.message.split('\n')[0], { cause: first })
  }
  const values: unknown = doc.toJS()
  if (values === null || values === undefined) return { name, values: {} }
  if (typeof values !== 'object' || Array.isArray(values)) {
    const err = new SIPUP_ERR_CONFIG_INVALID(`${name}: (top level): expected a mapping of keys, got ${JSON.stringify(values)}`)
    Object.assign(err, { issues: [{ source: name, path: '(top level)', message: 'expected a mapping of keys' }] })
    throw err
  }
  return { name, values: values as Plain }
}

function envSource (env: NodeJS.ProcessEnv, overrides: EnvOverrides): ConfigSource {
  const values: Plain = {}
  for (const [name, { path, type }] of Object.entries(overrides)) {
    const raw = env[name]
    if (raw === undefined || raw === '') continue
    const value = type === 'integer' && /^\d+$/.test(raw) ? Number(raw) : raw
    let node = values
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Plain
    node[path[path.length - 1]] = value
  }
  return { name: 'env', values }
}

function displayPath (path: string): string {
  const rel = relative(process.cwd(), path)
  return rel.startsWith('..') || rel === '' ? path : rel
}

function isPlain (v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Objects merge key by key; arrays and scalars from `b` replace those of `a`. */
function merge (a: Plain, b: Plain): Plain {
  const out: Plain = { ...a }
  for (const [k, v] of Object.entries(b)) {
    out[k] = isPlain(v) && isPlain(out[k]) ? merge(out[k] as Plain, v) : v
  }
  return out
}

/** The last source that holds the value at `path` is the one to blame. */
function sourceOf (sources: ConfigSource[], path: string, overrides: EnvOverrides): string {
  return sourceHolding(sources, path, overrides) ?? sources[0].name
}

/** Like sourceOf, for a key a source may not spell out (a default filled in below the user's value): the source of
 * the deepest part of the path that some source holds. */
function blameOf (sources: ConfigSource[], path: string, overrides: EnvOverrides): string {
  let p = path
  for (;;) {
    const found = sourceHolding(sources, p, overrides)
    if (found !== undefined) return found
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['))
    if (cut <= 0) return sources[0].name
    p = p.slice(0, cut)
  }
}

function sourceHolding (sources: ConfigSource[], path: string, overrides: EnvOverrides): string | undefined {
  const keys = path.split(/\.|\[(\d+)\]/).filter(k => k !== undefined && k !== '')
  for (let i = sources.length - 1; i >= 0; i--) {
    let node: unknown = sources[i].values
    let found = true
    for (const k of keys) {
      if (isPlain(node) && k in node) node = node[k]
      else if (Array.isArray(node) && /^\d+$/.test(k)) node = node[Number(k)]
      else { found = false; break }
    }
    if (found) return sources[i].name === 'env' ? `env ${envNameFor(keys, overrides)}` : sources[i].name
  }
  return undefined
}

function envNameFor (keys: string[], overrides: EnvOverrides): string {
  const joined = keys.join('.')
  return Object.entries(overrides).find(([, o]) => o.path.join('.') === joined)?.[0] ?? 'env'
}

function deepFreeze<T> (value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
