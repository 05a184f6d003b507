import t from '../helpers/cases.js'
import { Writable } from 'node:stream'
import { runBenchCli } from '../../src/loadtest/cli.js'
import { delayServer } from './helpers.js'

function sink (): { stream: Writable, text: () => string } {
  const chunks: Buffer[] = []
  const stream = new Writable({ write (c: Buffer, _e, cb) { chunks.push(c); cb() } })
  return { stream, text: () => Buffer.concat(chunks).toString() }
}

t.test('exit code 1 when a threshold fails, 0 when all pass', async t => {
  const server = await delayServer(() => 20)
  t.after(() => server.close())
  const args = ['--url', `${server.url}/x`, '--duration', '300ms', '--connections', '2']

  const fail = sink()
  t.equal(await runBenchCli([...args, '--threshold', 'p50<1ms'], { stdout: fail.stream, stderr: fail.stream }), 1)
  t.match(fail.text(), /threshold\s+p50 < 1\.0ms\s+\S+ms\s+FAIL/)
  t.match(fail.text(), /Result: FAIL/)

  const pass = sink()
  t.equal(await runBenchCli([...args, '--threshold', 'p95<5s', '--json'], { stdout: pass.stream, stderr: pass.stream }), 0)
  const json = JSON.parse(pass.text()) as { pass: boolean, targets: Array<{ checks: Array<{ text: string, pass: boolean }> }> }
  t.equal(json.pass, true)
  t.same(json.targets[0].checks.map(c => c.text), ['p95 < 5.00s', 'success >= 99.00%'], 'the default success threshold stays')
})

t.test('exit code 2 and a message naming the option for bad arguments', async t => {
  const out = sink()
  t.equal(await runBenchCli(['--url', 'http://127.0.0.1:1/', '--rate', 'fast'], { stdout: out.stream, stderr: out.stream }), 2)
  t.match(out.text(), "bench --rate: expected a number > 0, got 'fast'")
  const out2 = sink()
  t.equal(await runBenchCli(['--url', 'http://127.0.0.1:1/', '--threshold', 'p95 under 1s'], { stdout: out2.stream, stderr: out2.stream }), 2)
  t.match(out2.text(), "bench --threshold: expected a limit like p95<500ms")
})

t.test('failed requests lower the success rate and fail the default threshold', async t => {
  const out = sink()
  // Nothing listens on port 1: every request is refused.
  t.equal(await runBenchCli(['--url', 'http://127.0.0.1:1/', '--duration', '200ms', '--connections', '1', '--json'], { stdout: out.stream, stderr: out.stream }), 1)
  const json = JSON.parse(out.text()) as { targets: Array<{ result: { successRate: number, errors: Record<string, number> } }> }
  t.equal(json.targets[0].result.successRate, 0)
  t.ok((json.targets[0].result.errors.refused ?? 0) > 0, 'errors counted as refused')
})
