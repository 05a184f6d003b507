// Parses `sipup-sidecar bench` arguments into BenchOptions; every bad value throws SIPUP_ERR_BENCH_OPTION naming
// the option, what was expected and what was received.
import { parseArgs } from 'node:util'
import type { BenchOptions } from './run.js'
import { parseDuration } from '../config/units.js'
import { closest } from '../config/validate.js'
import { SIPUP_ERR_BENCH_OPTION } from '../errors.js'
import type { LoadModel } from './engine.js'
import { parseRamp, type RampStage } from './load-profile.js'
import { RequestPlan } from './request-plan.js'
import { loadScenarioFile } from './scenario.js'
import { DEFAULT_THRESHOLDS, mergeThresholds, parseThreshold, type Threshold } from './thresholds.js'

export const BENCH_DEFAULTS = {
  durationMs: 10_000,
  closedConnections: 10,
  rateConnections: 100,
  thinkMs: 5000,
  timeoutMs: 10_000,
  compareRounds: 3
} as const

/** What the command line says: the run's options plus how to report it. */
export interface ParsedBenchArgs extends Omit<BenchOptions, 'onProgress' | 'signal'> {
  help: boolean
  json: boolean
  html: string | null
  progress: boolean
}

const OPTIONS = {
  url: { type: 'string', short: 'u', multiple: true },
  scenario: { type: 'string', short: 's' },
  connections: { type: 'string', short: 'c' },
  duration: { type: 'string', short: 'd' },
  rate: { type: 'string', short: 'r' },
  users: { type: 'string' },
  think: { type: 'string' },
  ramp: { type: 'string' },
  warmup: { type: 'string', short: 'w' },
  timeout: { type: 'string' },
  method: { type: 'string', short: 'm' },
  header: { type: 'string', short: 'H', multiple: true },
  body: { type: 'string', short: 'b' },
  cookies: { type: 'boolean' },
  'no-co-correction': { type: 'boolean' },
  threshold: { type: 'string', short: 't', multiple: true },
  'no-thresholds': { type: 'boolean' },
  compare: { type: 'string' },
  rounds: { type: 'string' },
  json: { type: 'boolean' },
  html: { type: 'string' },
  'no-progress': { type: 'boolean' },
  'source-addresses': { type: 'string' },
  help: { type: 'boolean', short: 'h' }
} as const

export function parseBenchArgs (argv: string[]): ParsedBenchArgs {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (err) {
    throw parseError(err as Error & { code?: string })
  }
  const help = values.help === true
  const bad = (option: string, expected: string, got: unknown): never => {
    throw new SIPUP_ERR_BENCH_OPTION(option, expected, String(got))
  }
  const duration = (option: string, v: string | undefined, def: number): number => {
    if (v === undefined) return def
    return parseDuration(v) ?? bad(option, 'a duration like 500ms, 30s or 2m', v)
  }
  const positive = (option: string, v: string | undefined, def: number, integer = true): number => {
    if (v === undefined) return def
    const n = Number(v)
    return (Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n))) ? n : bad(option, integer ? 'an integer >= 1' : 'a number > 0', v)
  }

  if (values.users !== undefined && values.rate !== undefined) bad('--users', 'either --users or --rate, not both', `--users ${values.users} --rate ${values.rate}`)
  const model: LoadModel = values.users !== undefined ? 'users' : values.rate !== undefined ? 'rate' : 'closed'
  const connections = positive('--connections', values.connections, model === 'rate' ? BENCH_DEFAULTS.rateConnections : BENCH_DEFAULTS.closedConnections)
  const level = model === 'users' ? positive('--users', values.users, 1) : model === 'rate' ? positive('--rate', values.rate, 1, false) : connections
  const thinkMs = duration('--think', values.think, BENCH_DEFAULTS.thinkMs)
  if (thinkMs <= 0) bad('--think', 'a duration > 0', values.think)
  let ramp: RampStage[] = []
  if (values.ramp !== undefined) {
    try {
      ramp = parseRamp(values.ramp, v => parseDuration(v))
    } catch (err) {
      bad('--ramp', 'stages like 30s:500,1m:5000 (duration:target, comma-separated)', (err as Error).message)
    }
  }

  const urls = (values.url ?? []).map(u => toUrl('--url', u, bad))
  let plan: RequestPlan
  let origin: string | undefined
  if (values.scenario !== undefined) {
    const scenario = loadScenarioFile(values.scenario)
    plan = RequestPlan.fromScenario(scenario)
    origin = urls[0]?.origin ?? (scenario.baseUrl === '' ? undefined : toUrl('baseUrl', scenario.baseUrl, bad).origin)
    if (origin === undefined && !help) bad('--url', 'a target: --url or the scenario\'s baseUrl', 'nothing')
  } else {
    if (urls.length === 0 && !help) bad('--url', 'at least one --url (or --scenario file.yaml)', 'nothing')
    origin = urls[0]?.origin
    const other = urls.find(u => u.origin !== origin)
    if (other !== undefined) bad('--url', `URLs on one origin (${origin ?? ''}); use --compare for a second target`, other.href)
    plan = RequestPlan.fromUrls(urls, {
      method: values.method?.toUpperCase(),
      headers: parseHeaders(values.header ?? [], bad),
      body: values.body,
      cookies: values.cookies === true
    })
  }
  const targets = origin === undefined ? [] : [origin]
  if (values.compare !== undefined) targets.push(toUrl('--compare', values.compare, bad).origin)

  let thresholds: Threshold[] = values['no-thresholds'] === true ? [] : [...DEFAULT_THRESHOLDS]
  for (const text of values.threshold ?? []) {
    const t = parseThreshold(text)
    if (typeof t === 'string') bad('--threshold', t, text)
    else thresholds = mergeThresholds(thresholds, [t])
  }

  return {
    help,
    targets,
    plan,
    model,
    level,
    connections,
    thinkMs,
    durationMs: duration('--duration', values.duration, BENCH_DEFAULTS.durationMs),
    // Virtual users arrive spread over one think time; measuring starts once they all have.
    warmupMs: duration('--warmup', values.warmup, model === 'users' && ramp.length === 0 ? thinkMs : 0),
    ramp,
    timeoutMs: duration('--timeout', values.timeout, BENCH_DEFAULTS.timeoutMs),
    correct: values['no-co-correction'] !== true,
    rounds: positive('--rounds', values.rounds, values.compare !== undefined ? BENCH_DEFAULTS.compareRounds : 1),
    thresholds,
    json: values.json === true,
    html: values.html ?? null,
    progress: values['no-progress'] !== true,
    localAddresses: values['source-addresses'] === undefined ? undefined : sourceAddresses(values['source-addresses'], bad)
  }
}

/** node:util's parse errors in our words: the option named first, a did-you-mean for a typo. */
function parseError (err: Error & { code?: string }): Error {
  const option = /'(-[^'=\s]*)/.exec(err.message)?.[1]
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    const hint = closest(option.replace(/^-+/, ''), Object.keys(OPTIONS))
    return new SIPUP_ERR_BENCH_OPTION(option, `an option listed in --help${hint === undefined ? '' : ` (did you mean '--${hint}'?)`}`, option, { cause: err })
  }
  const long = /(--[\w-]+)/.exec(err.message)?.[1]
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && long !== undefined && /argument missing/.test(err.message)) {
    return new SIPUP_ERR_BENCH_OPTION(long, 'a value after it', 'nothing', { cause: err })
  }
  if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    return new SIPUP_ERR_BENCH_OPTION('arguments', 'options only (a URL goes after --url)', /'([^']*)'/.exec(err.message)?.[1] ?? err.message, { cause: err })
  }
  return new SIPUP_ERR_BENCH_OPTION('arguments', 'the options listed in --help', err.message, { cause: err })
}

function parse (argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false })
}

function toUrl (option: string, text: string, bad: (o: string, e: string, g: unknown) => never): URL {
  try {
    const u = new URL(text)
    if (u.protocol === 'http:' || u.protocol === 'https:') return u
  } catch {}
  return bad(option, 'an http:// or https:// URL', text)
}

function parseHeaders (lines: string[], bad: (o: string, e: string, g: unknown) => never): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of lines) {
    const i = line.indexOf(':')
    if (i <= 0) bad('--header', "'Name: value'", line)
    out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
  }
  return out
}

/** `127.1.0.0/16` (IPv4 CIDR) or a comma-separated list of addresses, used in turn per connection. */
export function sourceAddresses (text: string, bad: (o: string, e: string, g: unknown) => never): (i: number) => string {
  const cidr = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim())
  if (cidr !== null) {
    const octets = cidr.slice(1, 5).map(Number)
    const bits = Number(cidr[5])
    if (octets.some(o => o > 255) || bits < 8 || bits > 30) bad('--source-addresses', 'an IPv4 CIDR between /8 and /30, e.g. 127.1.0.0/16', text)
    const base = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]
    const size = 2 ** (32 - bits) - 2
    const network = base - (base % (size + 2))
    return i => {
      const ip = network + 1 + (i % size)
      return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`
    }
  }
  const list = text.split(',').map(s => s.trim()).filter(s => s !== '')
  if (list.length === 0 || list.some(a => !/^[\d.:a-fA-F]+$/.test(a))) bad('--source-addresses', 'an IPv4 CIDR or a comma-separated list of addresses', text)
  return i => list[i % list.length]
}
