// How the test suite runs: cases share a process, each in its own subtest (test/helpers/cases.ts), and the processes
// a test starts do not carry tap's process tracker (scripts/tap-untrack-children.mjs).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { runCases } from './helpers/cases.js'
import { seen, timeoutOfB } from './helpers/fixtures/seen.js'

runCases({
  'case-a': async () => await import('./helpers/fixtures/case-a.js'),
  'case-b': async () => await import('./helpers/fixtures/case-b.js')
})

t.test('each case module gets its own subtest as t, named after it; its tests are that subtest\'s children', async t => {
  t.same(seen, [
    { module: 'case-a', t: 'case-a' },
    { module: 'case-a', t: 'a test of case-a', parent: 'case-a' },
    { module: 'case-b', t: 'case-b' },
    { module: 'case-b', t: 'a test of case-b', parent: 'case-b' }
  ])
})

t.test('a case that raised its own timeout keeps it, and the process is allowed at least that long', async t => {
  t.equal(timeoutOfB(), 600_000, 'case-b\'s own t.setTimeout applies to its subtest')
  t.ok((t.parent?.options.timeout ?? 0) >= 600_000, `the process's timeout covers it (${String(t.parent?.options.timeout)} ms)`)
})

t.test('a Node child starts without tap\'s process tracker', async t => {
  const r = spawnSync(process.execPath, ['-e',
    'process.stdout.write(JSON.stringify({ o: process.env.NODE_OPTIONS ?? "", k: Object.keys(process.env) }))'],
  { encoding: 'utf8' })
  const { o, k } = JSON.parse(r.stdout) as { o: string, k: string[] }
  t.notMatch(o, /processinfo/, 'NODE_OPTIONS loads no tracker')
  t.same(k.filter(x => x.startsWith('_TAPJS_PROCESSINFO_')), [], 'no tracker variables')
  // The hook only removes the tracker: the rest of the environment, NODE_OPTIONS included, is passed on.
  const own = spawnSync(process.execPath, ['-e', 'process.stdout.write(process.env.NODE_OPTIONS ?? "")'],
    { encoding: 'utf8', env: { PATH: process.env.PATH, NODE_OPTIONS: '--max-old-space-size=200' } })
  t.match(own.stdout, /--max-old-space-size=200/)
})

t.test('every case file is run by exactly one group of its folder (an unlisted case would never run)', async t => {
  const { readdirSync, readFileSync } = await import('node:fs')
  const { dirname, join, relative } = await import('node:path')
  const { fileURLToPath } = await import('node:url')
  const root = dirname(fileURLToPath(import.meta.url))
  const files = (readdirSync(root, { recursive: true }) as string[]).filter(f => !f.includes('node_modules'))
  const cases = files.filter(f => f.endsWith('.case.js')).map(f => join(root, f))
  const runs = new Map<string, number>()
  for (const group of files.filter(f => f.endsWith('.test.js'))) {
    const text = readFileSync(join(root, group), 'utf8')
    for (const m of text.matchAll(/import\('(\.\/[^']+\.case\.js)'\)/g)) {
      const target = join(root, dirname(group), m[1])
      runs.set(target, (runs.get(target) ?? 0) + 1)
    }
  }
  t.ok(cases.length > 100, `${cases.length} case files found`)
  t.same(cases.filter(c => runs.get(c) !== 1).map(c => `${relative(root, c)}: run by ${runs.get(c) ?? 0} groups`), [])
})
