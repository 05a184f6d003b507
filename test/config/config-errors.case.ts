import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { ConfigIssue } from '../../src/config/load.js'
import { loadConfig } from '../../src/sidecar-config.js'

function fileWith (t: Test, yaml: string): { path: string, shown: string } {
  const dir = t.testdir({})
  const path = join(dir, 'prod.yaml')
  writeFileSync(path, yaml)
  return { path, shown: relative(process.cwd(), path) }
}

function problems (fn: () => unknown): { code: string, message: string, issues: ConfigIssue[] } {
  try {
    fn()
  } catch (err) {
    const e = err as Error & { code: string, issues?: ConfigIssue[] }
    return { code: e.code, message: e.message, issues: e.issues ?? [] }
  }
  throw new Error('expected loadConfig to throw')
}

t.test('a wrong type names the file, the key path, what was expected and what was received', async t => {
  const f = fileWith(t, 'upstream:\n  connections: ten\n')
  const p = problems(() => loadConfig({ file: f.path, env: {} }))
  t.equal(p.code, 'SIPUP_ERR_CONFIG_INVALID')
  t.same(p.issues.map(i => `${i.source}: ${i.path}: ${i.message}`), [`${f.shown}: upstream.connections: expected integer between 1 and 100000, got "ten"`])
})

t.test('an out-of-range value', async t => {
  const f = fileWith(t, 'server:\n  port: 70000\n')
  const p = problems(() => loadConfig({ file: f.path, env: {} }))
  t.same(p.issues.map(i => `${i.source}: ${i.path}: ${i.message}`), [`${f.shown}: server.port: expected integer between 0 and 65535, got 70000`])
})

t.test('an unknown key is an error, with a suggestion for a typo', async t => {
  const f = fileWith(t, 'upstream:\n  conections: 10\nnonsense: 1\n')
  const p = problems(() => loadConfig({ file: f.path, env: {} }))
  const lines = p.issues.map(i => `${i.source}: ${i.path}: ${i.message}`)
  t.equal(lines.length, 2, 'both problems reported at once')
  t.match(lines.find(l => l.includes('conections')), `${f.shown}: upstream.conections: unknown key (did you mean 'connections'?); expected one of: url, connections,`)
  t.match(lines.find(l => l.includes('nonsense')), `${f.shown}: nonsense: unknown key; expected one of: server, upstream,`)
})

t.test('a bad duration and a bad size', async t => {
  const f = fileWith(t, 'upstream:\n  responseTimeout: 10 parsecs\nproxy:\n  maxRequestBody: lots\n')
  const p = problems(() => loadConfig({ file: f.path, env: {} }))
  t.same(p.issues.map(i => `${i.source}: ${i.path}: ${i.message}`).sort(), [
    `${f.shown}: proxy.maxRequestBody: expected a size like 512KB, 16MB, 1GB, got "lots"`,
    `${f.shown}: upstream.responseTimeout: expected a duration like 250ms, 30s, 5m, 1h, got "10 parsecs"`
  ])
})

t.test('durations and sizes are converted once to ms and bytes', async t => {
  const f = fileWith(t, 'upstream:\n  responseTimeout: 1.5s\n  connectTimeout: 2m\nproxy:\n  maxRequestBody: 2MB\n')
  const { config } = loadConfig({ file: f.path, env: {} })
  t.equal(config.upstream.responseTimeout, 1500)
  t.equal(config.upstream.connectTimeout, 120_000)
  t.equal(config.proxy.maxRequestBody, 2 * 1024 * 1024)
  t.equal(config.server.headersTimeout, 10_000, 'defaults converted too')
  t.ok(Object.isFrozen(config.upstream), 'the config is frozen')
})

t.test('a missing file', async t => {
  const dir = t.testdir({})
  const path = join(dir, 'nope.yaml')
  const p = problems(() => loadConfig({ file: path, env: {} }))
  t.equal(p.code, 'SIPUP_ERR_CONFIG_FILE')
  t.equal(p.message, `${relative(process.cwd(), path)}: cannot read config file: 'no such file'`)
})

t.test('a YAML syntax error names the line', async t => {
  const f = fileWith(t, 'server:\n  port: 8080\n upstream: [\n')
  const p = problems(() => loadConfig({ file: f.path, env: {} }))
  t.equal(p.code, 'SIPUP_ERR_CONFIG_YAML')
  t.match(p.message, new RegExp(`^${f.shown.replace(/[.]/g, '\\.')}:3:\\d+: YAML syntax error: `))
})

t.test('environment variables override the file, and their errors name the variable', async t => {
  const f = fileWith(t, 'upstream:\n  url: http://file.example\n')
  const { config } = loadConfig({ file: f.path, env: { SIDECAR_UPSTREAM: 'http://env.example:8081', SIDECAR_PORT: '9090', SIDECAR_ADMIN_TOKEN: 's3cret' } })
  t.equal(config.upstream.url, 'http://env.example:8081')
  t.equal(config.server.port, 9090)
  t.equal(config.admin.token, 's3cret')
  const p = problems(() => loadConfig({ env: { SIDECAR_PORT: 'eighty' } }))
  t.same(p.issues.map(i => `${i.source}: ${i.path}: ${i.message}`), ['env SIDECAR_PORT: server.port: expected integer between 0 and 65535, got "eighty"'])
})

t.test('SIDECAR_CONFIG names the file when -c is not given', async t => {
  const f = fileWith(t, 'server:\n  port: 8181\n')
  const { config, sources } = loadConfig({ env: { SIDECAR_CONFIG: f.path } })
  t.equal(config.server.port, 8181)
  t.equal(sources.length, 2)
})

t.test('the top level must be a mapping', async t => {
  const f = fileWith(t, '- a\n- b\n')
  const p = problems(() => loadConfig({ file: f.path, env: {} }))
  t.equal(p.code, 'SIPUP_ERR_CONFIG_INVALID')
  t.match(p.message, `${f.shown}: (top level): expected a mapping of keys`)
})

t.test('a duration below its minimum says the minimum', async t => {
  const { compileConfigValidator } = await import('../../src/config/validate.js')
  const { Type } = await import('@sinclair/typebox')
  const { Duration } = await import('../../src/config/units.js')
  const validate = compileConfigValidator(Type.Object({ window: Duration({ description: 'w', default: '1m', minimum: 1000 }) }))
  t.same(validate({ window: '10ms' }), [{ path: 'window', message: 'expected a duration like 250ms, 30s, 5m, 1h of at least 1s, got "10ms"' }])
  const ok = { window: '2s' }
  t.same(validate(ok), [])
  t.equal(ok.window as unknown, 2000)
})
