import t from '../helpers/cases.js'
import { runBench } from '../../src/loadtest/run.js'
import { benchOptions, delayServer } from './helpers.js'

// The measured window's connection churn tells a reconnect storm from users still arriving (issue 15: 48,176 SYNs
// dropped while measuring, with every user supposed to hold one keep-alive connection).

t.test('keep-alive users that all arrived during the warm-up open nothing while measured', async t => {
  const server = await delayServer(() => 1)
  t.after(() => server.close())
  const report = await runBench(benchOptions(server.url, { model: 'users', level: 8, thinkMs: 100, warmupMs: 300, durationMs: 500 }))
  const c = report.targets[0].result.connections
  t.equal(c.users, 8)
  t.equal(c.connects, 8, 'one connection per user')
  t.same(c.window, { firstConnects: 0, reconnects: 0, connectErrors: 0, closedByServer: 0, closedByTimeout: 0, closedByError: 0, closedIdle: 0 })
})

t.test('a server that closes every connection: each request reconnects, counted as closed by the server', async t => {
  const server = await delayServer(() => 1, { connection: 'close' })
  t.after(() => server.close())
  const report = await runBench(benchOptions(server.url, { model: 'users', level: 4, thinkMs: 50, warmupMs: 200, durationMs: 500 }))
  const r = report.targets[0].result
  const w = r.connections.window
  t.ok(w !== undefined && w.reconnects > 4, `reconnects while measured (${w?.reconnects ?? 0})`)
  t.ok(w !== undefined && w.closedByServer >= w.reconnects - 4, 'ended by the server')
  t.equal(w?.firstConnects, 0, 'no user arrived late')
})

t.test('the client timeout closes the connection, and the next request reconnects', async t => {
  // undici checks headersTimeout on a timer wheel of ~0.5-1 s steps: answer well after it.
  const server = await delayServer(n => n === 0 ? 1 : 2500)
  t.after(() => server.close())
  const report = await runBench(benchOptions(server.url, { model: 'users', level: 1, thinkMs: 300, warmupMs: 100, durationMs: 2500, timeoutMs: 200 }))
  const w = report.targets[0].result.connections.window
  t.ok(w !== undefined && w.closedByTimeout >= 1, `closed by the client timeout (${w?.closedByTimeout ?? 0})`)
  t.ok(w !== undefined && w.reconnects >= 1, 'then reconnected')
})

t.test('settleMs: the window opens once every user holds a connection, or when the wait runs out', async t => {
  const server = await delayServer(() => 1)
  t.after(() => server.close())
  const ok = await runBench(benchOptions(server.url, { model: 'users', level: 5, thinkMs: 100, warmupMs: 200, durationMs: 300, settleMs: 2000 }))
  const settled = ok.targets[0].result.connections.settle
  t.equal(settled?.unconnected, 0)
  t.ok(settled !== undefined && settled.waitedMs < 1000, `opened soon after the warm-up (${settled?.waitedMs ?? -1} ms)`)
  t.ok(ok.targets[0].result.requests > 0, 'and measured')

  // Nothing listens on port 1: no user ever connects, the window opens when settleMs runs out.
  const refused = await runBench(benchOptions('http://127.0.0.1:1/', { model: 'users', level: 3, thinkMs: 100, warmupMs: 100, durationMs: 200, settleMs: 300, timeoutMs: 500 }))
  const late = refused.targets[0].result.connections.settle
  t.equal(late?.unconnected, 3, 'all three users unconnected')
  t.ok(late !== undefined && late.waitedMs >= 250, `after the whole wait (${late?.waitedMs ?? -1} ms)`)
})

t.test('settled: the window also waits for the target to settle, within the same settleMs', async t => {
  const server = await delayServer(() => 1)
  t.after(() => server.close())
  // Not settled until 700 ms after the start (a backlog draining), well after the warm-up's 200 ms.
  const start = performance.now()
  let asked = 0
  const ready = await runBench(benchOptions(server.url, {
    model: 'users', level: 3, thinkMs: 100, warmupMs: 200, durationMs: 300, settleMs: 3000,
    settled: i => { asked++; t.equal(i, 0, 'asked about target 0'); return performance.now() - start >= 700 }
  }))
  const st = ready.targets[0].result.connections.settle
  t.equal(st?.gate, 'settled')
  t.equal(st?.unconnected, 0)
  t.ok(st !== undefined && st.waitedMs >= 450, `the window waited for it (${st?.waitedMs ?? -1} ms after the warm-up)`)
  t.ok(asked >= 2, `asked once a tick until it said yes (${asked} times)`)
  t.ok(ready.targets[0].result.requests > 0, 'and measured')

  // Never settled: the window opens when settleMs runs out, and says so.
  const never = await runBench(benchOptions(server.url, { model: 'users', level: 3, thinkMs: 100, warmupMs: 100, durationMs: 200, settleMs: 400, settled: () => false }))
  const late = never.targets[0].result.connections.settle
  t.equal(late?.gate, 'timed-out')
  t.equal(late?.unconnected, 0, 'every user was connected: only the gate held it')
  t.ok(late !== undefined && late.waitedMs >= 350, `after the whole wait (${late?.waitedMs ?? -1} ms)`)
})
