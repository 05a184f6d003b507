// The command line of every bench script: node:util parseArgs (strict) behind one declaration per option (type,
// default, description), so `--help` lists them all and a typo or a bad value ends in one line and exit code 2
// instead of a stack trace. Values come back converted (numbers, durations in ms, sizes in bytes) and checked.
import { parseArgs } from 'node:util'
import { parseBytes, parseDuration } from '../../src/config/units.js'
import { closest } from '../../src/config/validate.js'

/** Exit codes, as the sidecar's CLI uses them (src/core/command.ts). */
export const EXIT_OK = 0
export const EXIT_USAGE = 2

interface OptionBase {
  description: string
  short?: string
  /** Set by the script on the processes it starts itself (`--role ...`): listed apart in the usage. */
  internal?: boolean
}

export interface StringOption extends OptionBase {
  type: 'string'
  default?: string
  /** The values accepted; anything else is a usage error. */
  choices?: readonly string[]
  /** Placeholder in the usage, e.g. `<path>`. @default '<value>' */
  placeholder?: string
}

export interface BooleanOption extends OptionBase {
  type: 'boolean'
}

export interface NumberOption extends OptionBase {
  /** int: an integer; number: any finite number. */
  type: 'int' | 'number'
  default?: number
  /** Smallest value accepted. @default 1 for int, 0 for number */
  min?: number
  max?: number
}

export interface UnitOption extends OptionBase {
  /** duration: `500ms`, `30s`, `2m` (returned in ms); bytes: `512`, `16KB`, `256MB` (returned in bytes). */
  type: 'duration' | 'bytes'
  /** Written as on the command line, so the usage shows it as the user types it. */
  default?: string
}

export type BenchOption = StringOption | BooleanOption | NumberOption | UnitOption
export type BenchOptions = Record<string, BenchOption>

type ValueOf<O extends BenchOption> = O extends StringOption ? (O extends { choices: ReadonlyArray<infer C> } ? C : string)
  : O extends BooleanOption ? boolean : number

/** What a script gets back: booleans are always set (false when absent), an option with a default always has a value. */
export type BenchValues<S extends BenchOptions> = {
  -readonly [K in keyof S]: S[K] extends BooleanOption ? boolean
    : S[K] extends { default: string | number } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined
}

export interface BenchCommand<S extends BenchOptions> {
  /** The script, as errors name it: `bench/db`. */
  name: string
  /** How it is run, when not `node dist/<name>.js` (e.g. with `--expose-gc`). */
  run?: string
  /** What the script does, a few lines. */
  summary: string
  options: S
}

/** A bad command line: the message names the option, what was expected and what was received. */
export class BenchUsageError extends Error {
  readonly code = 'SIPUP_BENCH_USAGE'
}

/** The outcome of parsing: the values, or what to print and the exit code. */
export type ParsedBench<S extends BenchOptions> =
  | { ok: true, values: BenchValues<S> }
  | { ok: false, exitCode: number, stdout: string, stderr: string }

/** Parses `argv` without printing or exiting (the testable half of benchArgs). */
export function parseBench<const S extends BenchOptions> (cmd: BenchCommand<S>, argv: readonly string[]): ParsedBench<S> {
  const usage = benchUsage(cmd)
  if (argv.includes('--help') || argv.includes('-h')) return { ok: false, exitCode: EXIT_OK, stdout: usage + '\n', stderr: '' }
  try {
    return { ok: true, values: convert(cmd.options, argv) }
  } catch (err) {
    const e = err as Error & { code?: string }
    if (!(err instanceof BenchUsageError) && e.code?.startsWith('ERR_PARSE_ARGS') !== true) throw err
    return { ok: false, exitCode: EXIT_USAGE, stdout: '', stderr: `${cmd.name}: ${oneLine(e.message)}\n\n${usage}\n` }
  }
}

/** Parses the process's arguments; on `--help` prints the usage and exits 0, on a bad option prints why (one line)
 * and the usage and exits 2. */
export function benchArgs<const S extends BenchOptions> (cmd: BenchCommand<S>, argv: readonly string[] = process.argv.slice(2)): BenchValues<S> {
  const r = parseBench(cmd, argv)
  if (r.ok) return r.values
  process.stdout.write(r.stdout)
  process.stderr.write(r.stderr)
  process.exit(r.exitCode)
}

/** A bad combination or value found after parsing (`--steps 5,x`): one line naming the option, exit 2. */
export function usageError (name: string, message: string): never {
  process.stderr.write(`${name}: ${message}\nRun it with --help for the options.\n`)
  process.exit(EXIT_USAGE)
}

/** The usage text: how to run it, what it does, then every option with its default. */
export function benchUsage (cmd: BenchCommand<BenchOptions>): string {
  const rows = (internal: boolean): Array<[string, string]> => Object.entries(cmd.options)
    .filter(([, o]) => (o.internal === true) === internal)
    .map(([key, o]) => [`${o.short === undefined ? '    ' : `-${o.short}, `}--${key}${placeholder(o)}`, `${o.description}${defaultText(o)}`])
  const main = [...rows(false), ['-h, --help', 'print this text and exit'] as [string, string]]
  const internal = rows(true)
  const width = Math.max(...[...main, ...internal].map(([l]) => l.length))
  const lines = (list: Array<[string, string]>): string[] => list.map(([l, d]) => `  ${l.padEnd(width)}  ${d}`)
  return [
    `Usage: ${cmd.run ?? `node dist/${cmd.name}.js`} [options]`,
    '',
    cmd.summary.trim(),
    '',
    'Options:',
    ...lines(main),
    ...(internal.length === 0 ? [] : ['', 'Set by the bench on the processes it starts (not for use by hand):', ...lines(internal)])
  ].join('\n')
}

function oneLine (text: string): string {
  return text.replace(/\s*\n\s*/g, ' ')
}

function placeholder (o: BenchOption): string {
  switch (o.type) {
    case 'boolean': return ''
    case 'string': return ` ${o.choices !== undefined ? `<${o.choices.join('|')}>` : (o.placeholder ?? '<value>')}`
    case 'int': return ' <n>'
    case 'number': return ' <x>'
    case 'duration': return ' <duration>'
    case 'bytes': return ' <size>'
  }
}

function defaultText (o: BenchOption): string {
  if (o.type === 'boolean') return ''
  return o.default === undefined ? '' : ` (default ${String(o.default)})`
}

function convert<S extends BenchOptions> (options: S, argv: readonly string[]): BenchValues<S> {
  const config: Record<string, { type: 'string' | 'boolean', short?: string }> = {}
  for (const [key, o] of Object.entries(options)) {
    config[key] = { type: o.type === 'boolean' ? 'boolean' : 'string', ...(o.short === undefined ? {} : { short: o.short }) }
  }
  let raw: Record<string, string | boolean | undefined>
  try {
    raw = parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>
  } catch (err) {
    const e = err as Error & { code?: string }
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const bad = /'(-{1,2}[^'=]+)/.exec(e.message)?.[1] ?? ''
      const hint = closest(bad.replace(/^-+/, ''), Object.keys(options))
      throw new BenchUsageError(`unknown option '${bad}'${hint === undefined ? '' : ` (did you mean '--${hint}'?)`}; see --help for the options`, { cause: err })
    }
    throw err
  }
  const out: Record<string, string | number | boolean | undefined> = {}
  for (const [key, o] of Object.entries(options)) out[key] = value(key, o, raw[key])
  return out as BenchValues<S>
}

function value (key: string, o: BenchOption, given: string | boolean | undefined): string | number | boolean | undefined {
  if (o.type === 'boolean') return given === true
  const text = given as string | undefined
  const bad = (expected: string): never => { throw new BenchUsageError(`--${key}: expected ${expected}, got '${text ?? ''}'`) }
  switch (o.type) {
    case 'string':
      if (text === undefined) return o.default
      if (o.choices !== undefined && !o.choices.includes(text)) bad(`one of ${o.choices.join(', ')}`)
      return text
    case 'int':
    case 'number': {
      if (text === undefined) return o.default
      const n = text.trim() === '' ? Number.NaN : Number(text)
      const min = o.min ?? (o.type === 'int' ? 1 : 0)
      const range = `${o.max === undefined ? `>= ${min}` : `between ${min} and ${o.max}`}`
      const what = o.type === 'int' ? `an integer ${range}` : `a number ${range}`
      if (!Number.isFinite(n) || (o.type === 'int' && !Number.isInteger(n)) || n < min || (o.max !== undefined && n > o.max)) bad(what)
      return n
    }
    case 'duration':
    case 'bytes': {
      const source = text ?? o.default
      if (source === undefined) return undefined
      const n = o.type === 'duration' ? parseDuration(source) : parseBytes(source)
      if (n === undefined) {
        // A default that does not parse is the script's mistake, not the user's.
        if (text === undefined) throw new TypeError(`bench option --${key}: default '${source}' is not a ${o.type}`)
        bad(o.type === 'duration' ? 'a duration like 500ms, 30s or 2m' : 'a size like 512, 16KB or 256MB')
      }
      return n
    }
  }
}

/** The options by which a script starts its own processes (`--role <name> --port <n>`), the same in every script. */
export const ROLE_OPTIONS = {
  role: { type: 'string', internal: true, description: 'run as one of the bench\'s processes' },
  port: { type: 'int', min: 0, default: 0, internal: true, description: 'port to listen on' }
} as const satisfies BenchOptions
