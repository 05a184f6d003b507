// `server.workers: 2` through the built CLI, as an operator runs it: a killed worker is replaced while requests keep
// succeeding, one scrape adds up both workers' requests, SIGHUP replaces every worker with no failed request, and
// SIGTERM stops the whole node.
import t from 'tap'
import { once } from 'node:events'
import { startOrigin } from '../helpers/sidecar.js'
import { childPids, get, startNode, until } from '../helpers/cluster-node.js'

// Three clusters of three Node processes each: past tap's 120 s default on a loaded machine.
t.setTimeout(600_000)

t.test('workers: 2', async t => {
  let originHits = 0
  const origin = await startOrigin((_req, res) => {
    originHits++
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello')
  })
  t.teardown(() => origin.close())

  t.test('a SIGKILLed worker is replaced and requests keep succeeding', async t => {
    const node = await startNode(t, origin.url)
    const [first] = childPids(node.primary.pid ?? 0)
    t.equal(childPids(node.primary.pid ?? 0).length, 2, 'two workers')
    let ok = 0
    let failed = 0
    let running = true
    const loop = (async () => {
      while (running) {
        try {
          if ((await get(node.port, '/')).status === 200) ok++
          else failed++
        } catch { failed++ }
      }
    })()
    await until('some requests', () => ok > 20)
    process.kill(first, 'SIGKILL')
    await until('a replacement worker', () => {
      const now = childPids(node.primary.pid ?? 0)
      return now.length === 2 && !now.includes(first)
    })
    const before = ok
    await until('requests after the replacement', () => ok > before + 20)
    running = false
    await loop
    // A sequential loop has one request in flight: at most that one may die with the worker.
    t.ok(failed <= 1, `failed requests: ${failed} (at most the killed worker's in-flight one)`)
    t.match(node.output(), /worker died: starting a new one/)
  })

  t.test('one scrape adds up both workers\' requests', async t => {
    const node = await startNode(t, origin.url)
    const n = 40
    for (let i = 0; i < n; i++) t.equal((await get(node.port, `/page-${i}`)).status, 200)
    const scrape = await get(node.port, '/_admin/metrics')
    t.equal(scrape.status, 200)
    const counts = [...scrape.body.matchAll(/^sipup_http_requests_total\{[^}]*route="proxy"[^}]*\} (\d+)/gm)].map(m => Number(m[1]))
    t.equal(counts.reduce((a, b) => a + b, 0), n, 'the proxied requests of both workers in one scrape')
    // Each worker saw only its share; the whole count proves the primary aggregated them.
    const pids = [...scrape.body.matchAll(/^process_cpu_user_seconds_total/gm)]
    t.ok(pids.length >= 1, 'process metrics present')
  })

  t.test('SIGHUP replaces every worker, one at a time, with no failed request', async t => {
    const node = await startNode(t, origin.url)
    const before = childPids(node.primary.pid ?? 0)
    let ok = 0
    const failures: string[] = []
    let running = true
    const loops = Array.from({ length: 4 }, async () => {
      while (running) {
        try {
          const r = await get(node.port, '/')
          if (r.status === 200) ok++
          else failures.push(`status ${r.status}`)
        } catch (err) { failures.push((err as Error).message) }
      }
    })
    // Stops the loops when an assertion below throws too, or the file would hang until tap's timeout.
    t.after(async () => { running = false; await Promise.all(loops) })
    await until('some requests', () => ok > 20)
    node.primary.kill('SIGHUP')
    await until('every worker replaced', () => {
      const now = childPids(node.primary.pid ?? 0)
      return now.length === 2 && now.every(p => !before.includes(p))
    })
    const mid = ok
    await until('requests after the roll', () => ok > mid + 20)
    running = false
    await Promise.all(loops)
    t.same(failures, [], 'no request failed or was refused during the rolling restart')
    t.match(node.output(), /rolling restart done/)
  })

  t.test('SIGTERM stops every worker and the primary exits 0', async t => {
    const node = await startNode(t, origin.url)
    const workers = childPids(node.primary.pid ?? 0)
    t.equal((await get(node.port, '/')).status, 200)
    node.primary.kill('SIGTERM')
    const [code] = await once(node.primary, 'exit') as [number | null]
    t.equal(code, 0)
    for (const p of workers) t.throws(() => process.kill(p, 0), 'worker gone')
    t.ok(originHits > 0)
  })
})
