// Issue 12 item 5: check-config runs every check start-up runs (one code path), so what start would refuse is
// refused by check-config with exit 2 and the key path; start itself exits 2 on such a config, with no stack
// trace and without hanging, Redis enabled or not. Regexes that can't be matched in linear time are refused.
import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { REDIS_URL, uniquePrefix } from '../helpers/services.js'
import { deleteKeys } from '../rate-limit/fixtures.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'index.js')
// 42 Node starts of the whole CLI: minutes on a loaded machine, past tap's 120 s default.
t.setTimeout(600_000)

/** The CLI until it exits (code null on a timeout: it hung). Asynchronous, so a test can run several at once. */
function cli (args: string[], nodeArgs: string[] = []): Promise<{ code: number | null, stderr: string }> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { env: { PATH: process.env.PATH } })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
    child.stdout.resume()
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve({ code: null, stderr }) }, CHILD_TIMEOUT_MS)
    child.on('exit', code => { clearTimeout(timer); resolve({ code, stderr }) })
  })
}

const run = (args: string[]): Promise<{ code: number | null, stderr: string }> => cli(args)
const start = (file: string): Promise<{ code: number | null, stderr: string }> => cli(['start', '-c', file])

const PREFIX = uniquePrefix('cli-start')
const REDIS = `redis: { enabled: true, url: '${REDIS_URL}', keyPrefix: '${PREFIX}' }\n`
// A sidecar that got as far as Redis may have stored its admin secret there.
t.after(() => deleteKeys(PREFIX))
const BASE = 'server: { host: 127.0.0.1, port: 0 }\nlog: { level: error, requests: false }\n'

const CASES: Record<string, { yaml: string, line: RegExp }> = {
  'invalid pathRegex': {
    yaml: "cache: { enabled: true, store: memory, rules: [{ pathRegex: '([', ttl: 1m }] }\n",
    line: /: cache\.rules\[0\]\.pathRegex: expected a regular expression in RE2 syntax/
  },
  'backreference (no linear-time match)': {
    yaml: "cache: { enabled: true, store: memory, rules: [{ pathRegex: '^/(a+)\\1$', ttl: 1m }] }\n",
    line: /: cache\.rules\[0\]\.pathRegex: .*RE2: .*invalid escape sequence/
  },
  'lookahead': {
    yaml: "cache: { enabled: true, store: memory, rules: [{ pathRegex: '^/(?!admin)', ttl: 1m }] }\n",
    line: /: cache\.rules\[0\]\.pathRegex: .*RE2: .*unsupported Perl syntax/
  },
  'stripSetCookie without anonymousOnly': {
    yaml: 'cache: { enabled: true, store: memory, rules: [{ path: /x, stripSetCookie: true }] }\n',
    line: /: cache\.rules\[0\]\.stripSetCookie: expected anonymousOnly: true/
  },
  'override status 5xx': {
    yaml: 'cache: { enabled: true, store: memory, rules: [{ path: /x, ttl: 1m, override: true, statuses: [200, 500] }] }\n',
    line: /: cache\.rules\[0\]\.statuses: expected statuses from/
  },
  'rate-limit rule named like a tier': {
    yaml: 'rateLimit: { enabled: true, store: memory, rules: [{ name: ip, path: /x }] }\n',
    line: /: rateLimit\.rules\[0\]\.name: expected a name other than/
  },
  'trustProxy /33': {
    yaml: 'server: { host: 127.0.0.1, port: 0, trustProxy: [10.0.0.0/33] }\n',
    line: /: server\.trustProxy\[0\]: expected an IPv4 or IPv6 address or CIDR/
  },
  'maxConcurrent below the worker count': {
    yaml: 'server: { host: 127.0.0.1, port: 0, workers: 2 }\nlog: { level: error, requests: false }\nupstream: { maxConcurrent: 1 }\n',
    line: /: upstream\.maxConcurrent: expected 0 or at least server\.workers \(2\)/
  },
  'autoLimit.min above max': {
    yaml: 'upstream: { maxConcurrent: auto, autoLimit: { min: 9, max: 8 } }\n',
    line: /: upstream\.autoLimit\.min: expected at most autoLimit\.max \(8\)/
  },
  'purge.allow not a CIDR': {
    yaml: "cache: { enabled: true, store: memory, purge: { allow: ['10.0.0.0/abc'] } }\n",
    line: /: cache\.purge\.allow\[0\]: expected an IPv4 or IPv6 address or CIDR/
  }
}

for (const [name, c] of Object.entries(CASES)) {
  t.test(`${name}: check-config and start both exit 2 naming the key, start with Redis on too`, async t => {
    const dir = t.testdir({})
    // The four processes are independent: run them at once (each is a whole Node start), then check each.
    const runs = await Promise.all([false, true].map(async redis => {
      const file = join(dir, `${redis ? 'redis' : 'plain'}.yaml`)
      writeFileSync(file, (c.yaml.startsWith('server:') ? '' : BASE) + (redis ? REDIS : 'redis: { enabled: false }\n') + c.yaml)
      const [checked, started] = await Promise.all([run(['check-config', '-c', file]), start(file)])
      return { redis, checked, started }
    }))
    for (const { redis, checked, started } of runs) {
      t.equal(checked.code, 2, `check-config exit 2 (redis ${redis})`)
      t.match(checked.stderr, c.line)
      t.equal(started.code, 2, `start exits 2, does not hang (redis ${redis})`)
      t.match(started.stderr, c.line)
      t.notMatch(started.stderr, /\n\s+at /, 'no stack trace')
    }
  })
}

t.test('a problem in a default the user did not spell out is blamed on the user file holding its parent', async t => {
  const dir = t.testdir({})
  const file = join(dir, 'jobs.yaml')
  writeFileSync(file, 'redis: { enabled: false }\njobs: { enabled: true, secret: "0123456789abcdef0123456789abcdef", types: [{ name: mail }] }\n')
  const r = await run(['check-config', '-c', file])
  t.equal(r.code, 2)
  t.match(r.stderr, /jobs\.yaml: jobs\.enabled: expected redis\.enabled: true/)
})

t.test('start on a busy port exits (1) at once instead of hanging on its Redis connection', async t => {
  const busy = createServer()
  await new Promise<void>(resolve => busy.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise<void>(resolve => busy.close(() => resolve())))
  const port = (busy.address() as { port: number }).port
  const dir = t.testdir({})
  const file = join(dir, 'busy.yaml')
  writeFileSync(file, `server: { host: 127.0.0.1, port: ${port} }\nlog: { level: error }\n${REDIS}cache: { enabled: true }\n`)
  const r = await start(file)
  t.equal(r.code, 1)
  t.match(r.stderr, /EADDRINUSE/)
  t.notMatch(r.stderr, /\n\s+at /)
})

// Node's module hooks (in --import, as a data: URL) print every module the CLI loads as "loaded: URL" on stderr.
const LOAD_HOOK = 'export async function load (url, context, next) { process.stderr.write(`loaded: ${url}\\n`); return next(url, context) }'
const PRINT_LOADS = ['--import', 'data:text/javascript,' + encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify('data:text/javascript,' + encodeURIComponent(LOAD_HOOK))})`)]

t.test('start refuses a bad config before it loads the app (Fastify and the plugins): a quick exit', async t => {
  const dir = t.testdir({})
  const file = join(dir, 'bad.yaml')
  writeFileSync(file, BASE + 'redis: { enabled: false }\n' + CASES['invalid pathRegex'].yaml)
  const r = await cli(['start', '-c', file], PRINT_LOADS)
  t.equal(r.code, 2)
  t.match(r.stderr, /loaded: file:.*\/cli\/config-args\.js\n/, 'the hook saw the config loader')
  t.notMatch(r.stderr, /loaded: file:.*\/src\/run\.js\n/, 'not the app')
  t.notMatch(r.stderr, /loaded: file:.*\/node_modules\/fastify\//, 'nor Fastify')
})

t.test('a catastrophic-backtracking pathRegex runs in linear time (RE2), so a long crafted path costs nothing', async t => {
  const { compileRules, matchRule } = await import('../../src/plugins/cache/rules.js')
  const { Value } = await import('@sinclair/typebox/value')
  const { CacheRuleSchema } = await import('../../src/plugins/cache/schema.js')
  const rule = Value.Default(CacheRuleSchema, { pathRegex: '^/(a+)+$', ttl: 1000 }) as Parameters<typeof compileRules>[0][number]
  const rules = compileRules([rule])
  // 2^60 steps for a backtracking engine: this line would not return within the test's timeout.
  const path = '/' + 'a'.repeat(60) + '!'
  t.equal(matchRule(rules, { method: 'GET', host: 'h', query: '', identified: false, cookies: [], path }), null)
  t.equal(matchRule(rules, { method: 'GET', host: 'h', query: '', identified: false, cookies: [], path: '/aaaa' })?.name, 'rule1')
})
