// A load split over two processes runs every user once, each part its own users (numbers and source addresses),
// and comes back as one run: the users, requests and window of both parts together.
import t from '../helpers/cases.js'
import http from 'node:http'
import { once } from 'node:events'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { RequestPlan } from '../../src/loadtest/request-plan.js'
import { loadScenarioFile } from '../../src/loadtest/scenario.js'
import { runBench } from '../../src/loadtest/run.js'
import { SplitLoad, partJob, partOf } from '../../src/loadtest/split.js'
import { LoadProfile } from '../../src/loadtest/load-profile.js'

t.test('shares add up; each part numbers its users after the parts before it', async t => {
  t.same([0, 1, 2].map(i => partOf(20_000, 3, i)), [6667, 6667, 6666])
  const opts = {
    origin: 'http://x', model: 'users' as const, profile: new LoadProfile(7, 100, 1000, [{ durationMs: 500, target: 7 }]),
    connections: 7, thinkMs: 100, timeoutMs: 1000, correct: true
  }
  const jobs = [0, 1].map(i => partJob(opts, 2, i))
  t.same(jobs.map(j => j.profile.level), [4, 3])
  t.same(jobs.map(j => j.profile.stages[0].target), [4, 3])
  t.same(jobs.map(j => j.connections), [4, 3])
  t.same(jobs.map(j => j.userOffset), [0, 4])
})

t.test('two parts against one server: every user, each from its own address, one merged run', async t => {
  const users = new Set<string>()
  const addresses = new Set<string>()
  const server = http.createServer((req, res) => {
    users.add(String(req.url))
    addresses.add(req.socket.remoteAddress ?? '')
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => { resolve() }) }))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const dir = t.testdir({})
  const file = join(dir, 'scenario.yaml')
  writeFileSync(file, 'requests:\n  - name: page\n    path: /u/{{user}}\n')
  const split = await SplitLoad.start({ parts: 2, scenarioFile: file, sourceAddresses: '127.1.0.0/16' })
  t.after(() => split.close())
  const windows: string[] = []
  let progressed = 0
  const report = await runBench({
    targets: [url],
    plan: RequestPlan.fromScenario(loadScenarioFile(file)),
    model: 'users',
    level: 6,
    connections: 6,
    thinkMs: 100,
    durationMs: 1500,
    warmupMs: 300,
    ramp: [],
    timeoutMs: 2000,
    correct: true,
    rounds: 1,
    thresholds: [],
    settleMs: 2000,
    onWindow: phase => { windows.push(phase) },
    onProgress: () => { progressed++ },
    runLoad: split.run
  })
  const r = report.targets[0].result
  t.same([...users].sort(), ['/u/1', '/u/2', '/u/3', '/u/4', '/u/5', '/u/6'], 'users 1-6, each once: the second part did not run the first part\'s users again')
  t.equal(addresses.size, 6, 'six source addresses')
  t.equal(r.connections.users, 6)
  t.equal(r.connections.connects, 6, 'one connection per user')
  t.ok(r.requests > 12, `requests of both parts merged (${r.requests})`)
  t.equal(r.successRate, 1)
  t.equal(r.loadGenerator.processes, 2)
  t.same(windows, ['start', 'end'], 'one window for the whole run')
  t.ok(progressed >= 1, 'progress combined from both parts')
})

t.test('a split load\'s parts wait for the parent\'s settled: the gate is mirrored to them', async t => {
  const server = http.createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('ok') })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(() => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => { resolve() }) }))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const file = join(t.testdir({}), 'scenario.yaml')
  writeFileSync(file, 'requests:\n  - name: page\n    path: /\n')
  const split = await SplitLoad.start({ parts: 2, scenarioFile: file })
  t.after(() => split.close())
  const run = (settled: () => boolean, settleMs: number): Promise<number[]> => runBench({
    targets: [url],
    plan: RequestPlan.fromScenario(loadScenarioFile(file)),
    model: 'users',
    level: 4,
    connections: 4,
    thinkMs: 100,
    durationMs: 300,
    warmupMs: 200,
    ramp: [],
    timeoutMs: 2000,
    correct: true,
    rounds: 1,
    thresholds: [],
    settleMs,
    settled: () => settled(),
    runLoad: split.run
  }).then(r => {
    const st = r.targets[0].result.connections.settle
    t.ok(st !== undefined)
    return [st?.waitedMs ?? -1, st?.gate === 'settled' ? 1 : st?.gate === 'timed-out' ? 2 : 0]
  })
  const start = performance.now()
  const [waited, gate] = await run(() => performance.now() - start >= 900, 5000)
  t.equal(gate, 1, 'both parts saw it settle')
  t.ok(waited >= 600, `and waited for it (${waited} ms after the warm-up)`)
  const [waitedNever, gateNever] = await run(() => false, 500)
  t.equal(gateNever, 2, 'never settled: the parts\' wait ran out')
  t.ok(waitedNever >= 450, `after the whole wait (${waitedNever} ms)`)
})
