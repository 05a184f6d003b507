// The built CLI (npm test builds first via pretest), spawned as a user would run it.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { verifyPassword } from '../../src/admin/password.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'index.js')
// Ten Node starts of the whole CLI: past tap's 120 s default on a loaded machine.
t.setTimeout(600_000)

function run (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', input, env: { PATH: process.env.PATH, ...env }, timeout: CHILD_TIMEOUT_MS })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

t.test('--help lists the commands; each command has its own --help', async t => {
  const main = run(['--help'])
  t.equal(main.code, 0)
  for (const c of ['start', 'check-config', 'doctor', 'hash-password']) t.match(main.stdout, new RegExp(`\\n  ${c}\\s`), c)
  const sub = run(['check-config', '--help'])
  t.equal(sub.code, 0)
  t.match(sub.stdout, /Usage: sipup-sidecar check-config/)
})

t.test('an unknown command or option is a usage error (exit 2)', async t => {
  t.equal(run(['frobnicate']).code, 2)
  const r = run(['check-config', '--nope'])
  t.equal(r.code, 2)
  t.match(r.stderr, /Unknown option '--nope'/)
})

t.test('check-config: a bad config exits 2 with one line per problem', async t => {
  const dir = t.testdir({})
  const file = join(dir, 'prod.yaml')
  writeFileSync(file, 'upstream:\n  connections: ten\nserver:\n  port: -1\n')
  const r = run(['check-config', '-c', file])
  t.equal(r.code, 2)
  const shown = relative(packageRoot, file)
  t.same(r.stderr.trim().split('\n').sort(), [
    `${join(dir, 'prod.yaml') === shown ? file : shown}: server.port: expected integer between 0 and 65535, got -1`,
    `${join(dir, 'prod.yaml') === shown ? file : shown}: upstream.connections: expected integer between 1 and 100000, got "ten"`
  ].sort())
})

t.test('check-config: a good config prints the effective config with secrets redacted', async t => {
  const dir = t.testdir({})
  const file = join(dir, 'ok.yaml')
  writeFileSync(file, 'upstream:\n  url: http://127.0.0.1:9\n')
  const r = run(['check-config', '-c', file], undefined, { SIDECAR_ADMIN_TOKEN: 'super-secret-token', MYSQL_URL: 'mysql://shop:hunter2@127.0.0.1/shop' })
  t.equal(r.code, 0)
  t.match(r.stdout, /url: http:\/\/127\.0\.0\.1:9/)
  t.notMatch(r.stdout, /super-secret-token/)
  t.notMatch(r.stdout, /hunter2/)
})

t.test('check-config: YAML syntax errors and missing files exit 2', async t => {
  const dir = t.testdir({ 'bad.yaml': 'a: [\n' })
  const bad = run(['check-config', '-c', join(dir, 'bad.yaml')])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /bad\.yaml:\d+:\d+: YAML syntax error/)
  const missing = run(['check-config', '-c', join(dir, 'missing.yaml')])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /missing\.yaml: cannot read config file: 'no such file'/)
})

t.test('doctor: one line per check, exit 1 when the origin is unreachable', async t => {
  const dir = t.testdir({ 'c.yaml': 'upstream:\n  url: http://127.0.0.1:9\nredis:\n  enabled: false\n' })
  const r = run(['doctor', '-c', join(dir, 'c.yaml')])
  t.equal(r.code, 1)
  const lines = r.stdout.trim().split('\n')
  t.match(lines.find(l => l.includes('upstream')), /^FAIL\s+upstream\s+http:\/\/127\.0\.0\.1:9\/ unreachable: ECONNREFUSED/)
  t.match(lines.find(l => l.includes('redis')), /^SKIP\s+redis\s+redis\.enabled is false/)
  t.match(lines.find(l => l.includes('mysql')), /^SKIP\s+mysql\s+mysql\.url is empty/)
  t.ok(lines.some(l => /^(OK|WARN|FAIL)\s+fd-limit\s+.*open files limit/.test(l)), 'fd limit checked')
})

t.test('hash-password prints a hash that verifies', async t => {
  const r = run(['hash-password'], 'correct horse')
  t.equal(r.code, 0)
  const hash = r.stdout.trim()
  t.match(hash, /^scrypt\$/)
  t.equal(await verifyPassword('correct horse', hash), true)
  t.equal(await verifyPassword('wrong', hash), false)
})
