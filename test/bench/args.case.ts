import t from '../helpers/cases.js'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchUsage, parseBench, EXIT_OK, EXIT_USAGE } from '../../bench/lib/args.js'

const CMD = {
  name: 'bench/example',
  summary: 'An example bench.',
  options: {
    rounds: { type: 'int', default: 5, description: 'interleaved rounds' },
    seconds: { type: 'number', default: 2.5, description: 'seconds per round' },
    think: { type: 'duration', default: '5s', description: 'mean think time' },
    'max-bytes': { type: 'bytes', default: '256MB', description: 'store size' },
    mix: { type: 'string', default: 'realistic', choices: ['realistic', 'cached'], description: 'request mix' },
    only: { type: 'string', description: 'parties to run, comma-separated' },
    overload: { type: 'boolean', description: 'the overload step' },
    port: { type: 'int', min: 0, default: 0, description: 'port', internal: true }
  }
} as const

t.test('--help and -h print every option with its default, exit 0', async t => {
  for (const flag of ['--help', '-h']) {
    const r = parseBench(CMD, ['--rounds', '3', flag])
    t.equal(r.ok, false)
    if (r.ok) continue
    t.equal(r.exitCode, EXIT_OK)
    t.equal(r.stderr, '')
    t.match(r.stdout, /^Usage: node dist\/bench\/example\.js \[options\]/)
    t.match(r.stdout, /--rounds <n>\s+interleaved rounds \(default 5\)/)
    t.match(r.stdout, /--seconds <x>\s+seconds per round \(default 2\.5\)/)
    t.match(r.stdout, /--think <duration>\s+mean think time \(default 5s\)/)
    t.match(r.stdout, /--max-bytes <size>\s+store size \(default 256MB\)/)
    t.match(r.stdout, /--mix <realistic\|cached>\s+request mix \(default realistic\)/)
    t.match(r.stdout, /--only <value>\s+parties to run, comma-separated\n/)
    t.match(r.stdout, /--overload\s+the overload step\n/)
    t.match(r.stdout, /-h, --help\s+print this text and exit/)
    t.match(r.stdout, /not for use by hand[^]*--port <n>/, 'internal options listed apart')
  }
})

t.test('defaults and conversions', async t => {
  const r = parseBench(CMD, [])
  t.ok(r.ok)
  if (r.ok) t.same(r.values, { rounds: 5, seconds: 2.5, think: 5000, 'max-bytes': 256 * 1024 * 1024, mix: 'realistic', only: undefined, overload: false, port: 0 })
  const given = parseBench(CMD, ['--rounds=2', '--think', '250ms', '--max-bytes', '16KB', '--mix', 'cached', '--overload', '--only', 'a,b'])
  t.ok(given.ok)
  if (given.ok) t.match(given.values, { rounds: 2, think: 250, 'max-bytes': 16 * 1024, mix: 'cached', overload: true, only: 'a,b' })
})

t.test('an unknown option: one line naming it, a suggestion, the usage, exit 2', async t => {
  const r = parseBench(CMD, ['--round', '3'])
  t.equal(r.ok, false)
  if (r.ok) return
  t.equal(r.exitCode, EXIT_USAGE)
  t.equal(r.stdout, '')
  const [first, blank, usage] = r.stderr.split('\n')
  t.equal(first, "bench/example: unknown option '--round' (did you mean '--rounds'?); see --help for the options")
  t.equal(blank, '')
  t.match(usage, /^Usage: /)
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
})

t.test('bad values name the option, what was expected and what came', async t => {
  const cases: Array<[string[], string]> = [
    [['--rounds', 'abc'], "bench/example: --rounds: expected an integer >= 1, got 'abc'"],
    [['--rounds', '2.5'], "bench/example: --rounds: expected an integer >= 1, got '2.5'"],
    [['--rounds', '0'], "bench/example: --rounds: expected an integer >= 1, got '0'"],
    [['--seconds', ''], "bench/example: --seconds: expected a number >= 0, got ''"],
    [['--think', 'soon'], "bench/example: --think: expected a duration like 500ms, 30s or 2m, got 'soon'"],
    [['--max-bytes', 'lots'], "bench/example: --max-bytes: expected a size like 512, 16KB or 256MB, got 'lots'"],
    [['--mix', 'cold'], "bench/example: --mix: expected one of realistic, cached, got 'cold'"],
    [['--rounds'], "bench/example: Option '--rounds <value>' argument missing"],
    [['stray'], "bench/example: Unexpected argument 'stray'. This command does not take positional arguments"]
  ]
  for (const [argv, line] of cases) {
    const r = parseBench(CMD, argv)
    if (r.ok) { t.fail(`${argv.join(' ')} parsed`); continue }
    t.equal(r.exitCode, EXIT_USAGE, argv.join(' '))
    t.equal(r.stderr.split('\n')[0], line)
  }
})

t.test('the usage of a command without internal options has no internal section', async t => {
  const text = benchUsage({ name: 'bench/x', run: 'node --expose-gc dist/bench/x.js', summary: 'X.', options: { n: { type: 'int', description: 'n' } } })
  t.match(text, /^Usage: node --expose-gc dist\/bench\/x\.js \[options\]\n\nX\.\n\nOptions:\n\s+--n <n>\s+n\n\s+-h, --help/)
  t.notMatch(text, /not for use by hand/)
})

const DIST_BENCH = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'bench')

function runScript (script: string, args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(DIST_BENCH, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
    // --help must answer before anything starts; a script that went on to start servers would hang here.
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} ${args.join(' ')} did not exit within 20 s`)) }, 20_000)
    child.once('exit', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

t.test('a compiled bench script: --help exits 0 listing its options; a typo exits 2 in one line', async t => {
  const help = await runScript('capacity.js', ['--help'])
  t.equal(help.code, 0)
  t.equal(help.stderr, '')
  for (const option of ['--steps', '--think', '--duration', '--arrive', '--mix', '--rounds', '--overload', '--only', '--timeout', '--workers', '--generators']) {
    t.match(help.stdout, new RegExp(`\\n\\s+(-\\w, )?${option}\\b`), `usage names ${option}`)
  }
  t.match(help.stdout, /--steps <n,n,...>\s+.*\(default 500,5000,20000\)/)
  t.match(help.stdout, /--workers <n>\s+.*server\.workers.*\(default 2\)/)

  const typo = await runScript('capacity.js', ['--user', '500'])
  t.equal(typo.code, 2)
  t.equal(typo.stdout, '')
  t.match(typo.stderr.split('\n')[0], /^bench\/capacity: unknown option '--user'/)
  t.notMatch(typo.stderr, /\n\s+at /, 'no stack trace')
})
