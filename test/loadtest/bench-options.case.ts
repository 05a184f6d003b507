import t from '../helpers/cases.js'
import { Writable } from 'node:stream'
import { runBenchCli } from '../../src/loadtest/cli.js'

function sink (): { stream: Writable, text: () => string } {
  const chunks: Buffer[] = []
  const stream = new Writable({ write (c: Buffer, _e, cb) { chunks.push(c); cb() } })
  return { stream, text: () => Buffer.concat(chunks).toString() }
}

async function run (argv: string[]): Promise<{ code: number, out: string, err: string }> {
  const out = sink()
  const err = sink()
  const code = await runBenchCli(argv, { stdout: out.stream, stderr: err.stream })
  return { code, out: out.text(), err: err.text() }
}

t.test('--help prints the options and exits 0 without a target', async t => {
  const r = await run(['--help'])
  t.equal(r.code, 0)
  t.match(r.out, /--users <n>\s+virtual users/)
  t.equal(r.err, '')
})

t.test('command-line mistakes: one line naming the option, exit 2, no stack', async t => {
  const cases: Array<[string[], string]> = [
    [['--userz', '5'], "bench --userz: expected an option listed in --help (did you mean '--users'?), got '--userz'"],
    [['-u', 'http://127.0.0.1:1/', '--rate'], "bench --rate: expected a value after it, got 'nothing'"],
    [['http://127.0.0.1:1/'], "bench arguments: expected options only (a URL goes after --url), got 'http://127.0.0.1:1/'"],
    [['-u', 'http://127.0.0.1:1/', '--users', 'many'], "bench --users: expected an integer >= 1, got 'many'"]
  ]
  for (const [argv, line] of cases) {
    const r = await run(argv)
    t.equal(r.code, 2, argv.join(' '))
    t.equal(r.err.split('\n')[0], line)
    t.notMatch(r.err, /\n\s+at /)
    t.equal(r.out, '')
  }
})
