// Issue 12 item 10: doctor says what the open-files limit means for capacity (client connections ≈ limit -
// upstream.connections - reserve) and warns when that is below server.maxConnections; it fails only when a
// server.maxConnections the operator set can't be held with the origin pool. The demo config must not fail on it.
import t from '../helpers/cases.js'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { checkFdLimit } from '../../src/cli/commands/doctor.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'index.js')
const limits = (n: number | 'unlimited'): string =>
  `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${n}                ${n}                files\n`
const core = (server: Record<string, unknown>, upstream: Record<string, unknown> = {}) =>
  loadConfig({ env: {}, overrides: { server, upstream } }).config

t.test('a limit below the default maxConnections is a warning that says how many clients fit', async t => {
  const l = checkFdLimit(core({}, { connections: 64 }), limits(20000), false)
  t.equal(l.status, 'warn')
  t.match(l.detail, /about 19680 client connections at once \(open files limit 20000 - upstream\.connections 64 - 256 reserve\)/)
  t.match(l.detail, /fewer than server\.maxConnections 20000 \(the default\)/)
  t.match(l.detail, /ulimit -n 20320/)
})

t.test('a maxConnections the operator set: warn while it and the pool fit, fail when they cannot', async t => {
  t.equal(checkFdLimit(core({ maxConnections: 5000 }), limits(65536), true).status, 'ok')
  t.equal(checkFdLimit(core({ maxConnections: 1000 }, { connections: 64 }), limits(1100), true).status, 'warn', 'fits, not the reserve')
  const fail = checkFdLimit(core({ maxConnections: 20000 }, { connections: 128 }), limits(1024), true)
  t.equal(fail.status, 'fail')
  t.match(fail.detail, /can't hold server\.maxConnections 20000 \+ upstream\.connections 128 you configured: about 640 client connections/)
  t.match(fail.detail, /lower server\.maxConnections to 640/)
})

t.test('maxConnections 0: the limit is the cap', async t => {
  t.equal(checkFdLimit(core({ maxConnections: 0 }), limits(4096), true).status, 'warn')
  t.equal(checkFdLimit(core({ maxConnections: 0 }), limits('unlimited'), true).status, 'ok')
})

t.test('doctor on config/demo.yaml does not fail on the open-files limit of this machine', async t => {
  const r = spawnSync(process.execPath, [CLI, 'doctor', '-c', join(packageRoot, 'config', 'demo.yaml')],
    { encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: CHILD_TIMEOUT_MS })
  const line = r.stdout.split('\n').find(l => /\bfd-limit\b/.test(l))
  t.ok(line !== undefined, 'fd-limit line printed')
  t.match(line, /^(OK|WARN|SKIP)\s+fd-limit\s/)
  t.notMatch(line, /^FAIL/)
})
