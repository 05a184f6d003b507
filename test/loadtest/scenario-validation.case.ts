import t from '../helpers/cases.js'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadScenarioFile, validateScenario } from '../../src/loadtest/scenario.js'

function errorOf (fn: () => unknown): Error & { code?: string } {
  try {
    fn()
  } catch (err) {
    return err as Error & { code?: string }
  }
  throw new Error('expected an error')
}

t.test('an unknown key is named with its path and the closest valid key', async t => {
  const err = errorOf(() => validateScenario({ requests: [{ path: '/a' }, { path: '/b', wieght: 2 }] }, 'mix.yaml'))
  t.equal(err.code, 'SIPUP_ERR_BENCH_SCENARIO_INVALID')
  t.match(err.message, "mix.yaml: requests[1].wieght: unknown key (did you mean 'weight'?)")
})

t.test('bad values name the key, what was expected and what was received; all problems at once', async t => {
  const err = errorOf(() => validateScenario({
    login: { share: 2 },
    requests: [{ path: 'no-slash', method: 'FETCH', weight: -1 }]
  }, 'mix.yaml'))
  t.match(err.message, 'mix.yaml: login.share: expected number between 0 and 1, got 2')
  t.match(err.message, 'mix.yaml: requests[0].path: expected string matching /^//, got "no-slash"')
  t.match(err.message, /mix\.yaml: requests\[0\]\.method: expected one of "GET", .*got "FETCH"/)
  t.match(err.message, 'mix.yaml: requests[0].weight: expected number >= 0, got -1')
})

t.test('a missing request list and a bad placeholder are reported', async t => {
  t.match(errorOf(() => validateScenario({}, 's.yaml')).message, 's.yaml: requests: missing; expected a list')
  t.match(errorOf(() => validateScenario({ requests: [{ path: '/p?id={{random 1 5}}' }] }, 's.yaml')).message,
    "s.yaml: requests[0].path: unknown placeholder '{{random 1 5}}'; expected {{user}} or {{rand MIN MAX}}")
})

t.test('a valid file loads with defaults; YAML syntax errors give the line', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-scenario-'))
  const good = join(dir, 'good.yaml')
  writeFileSync(good, 'requests:\n  - path: /catalog.php?page={{rand 1 25}}\n    weight: 3\n')
  const s = loadScenarioFile(good)
  t.same(s.requests[0], { path: '/catalog.php?page={{rand 1 25}}', weight: 3, name: '', method: 'GET', headers: {}, body: '', who: 'any', expect: [] })
  t.equal(s.cookies, true)
  t.equal(s.login.share, 0)

  const bad = join(dir, 'bad.yaml')
  writeFileSync(bad, 'requests:\n  - path: /a\n   weight: [\n')
  const err = errorOf(() => loadScenarioFile(bad))
  t.equal(err.code, 'SIPUP_ERR_BENCH_SCENARIO_FILE')
  t.match(err.message, /bad\.yaml: cannot read bench scenario: 'YAML syntax error at line \d+/)
})
