// `server.workers: 2`: the dashboard served by any worker shows the whole node. Requests served by both workers add
// up in the overview's route table, in the per-second series and in the live stream (the primary merges the
// workers' figures; test/metrics/node-merge.case.ts checks the merged percentiles exactly).
import t from '../helpers/cases.js'
import { request as httpRequest } from 'node:http'
import { startOrigin } from '../helpers/sidecar.js'
import { get, startNode, until } from '../helpers/cluster-node.js'

interface Summary { route: string, requests: number, p50: number | null, p95: number | null }
interface Overview { traffic: { total: Summary, slow: Summary[], workers: { pid: number, requests: number }[] } | null }
interface Rows { t: number[], rps: number[], p50: (number | null)[] }

async function overview (port: number): Promise<Overview> {
  const r = await get(port, '/_admin/api/overview')
  if (r.status !== 200) throw new Error(`overview answered ${r.status}: ${r.body}`)
  return JSON.parse(r.body) as Overview
}

/** The first `series` event of the live stream (the history), on a fresh connection. */
async function liveHistory (port: number): Promise<Rows> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/_admin/api/live', agent: false }, res => {
      let buf = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        buf += c
        const m = /event: series\ndata: (.+)\n\n/.exec(buf)
        if (m !== null) {
          resolve(JSON.parse(m[1]) as Rows)
          req.destroy()
        }
      })
    })
    req.setTimeout(10_000, () => { req.destroy(new Error('no series event')) })
    req.on('error', reject)
    req.end()
  })
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

t.test('the dashboard of any worker adds up both workers', async t => {
  const origin = await startOrigin((_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }).end('hello') })
  t.teardown(() => origin.close())
  const node = await startNode(t, origin.url)

  // Fresh connections until both workers have served some (the kernel picks the worker of each connection).
  let sent = 0
  let shares: number[] = []
  for (let round = 0; round < 10; round++) {
    for (let i = 0; i < 30; i++) {
      t.equal((await get(node.port, `/page-${sent}`)).status, 200)
      sent++
    }
    shares = (await overview(node.port)).traffic?.workers.map(w => w.requests) ?? []
    if (shares.length === 2 && shares.every(n => n > 0)) break
  }
  t.equal(shares.length, 2, 'the route table counts both workers')
  t.ok(shares.every(n => n > 0), `both workers served requests: ${shares.join(' + ')}`)

  // Several overview requests, each on a fresh connection, so both workers answer some: every answer is the node's.
  for (let i = 0; i < 6; i++) {
    const o = await overview(node.port)
    t.equal(o.traffic?.total.requests, sent, `overview ${i}: every proxied request of the node`)
    t.equal(sum(o.traffic?.workers.map(w => w.requests) ?? []), sent, 'the workers\' shares add up to it')
    const proxy = o.traffic?.slow.find(r => r.route === 'proxy')
    t.equal(proxy?.requests, sent, 'the proxy route\'s row too')
    t.ok(typeof proxy?.p95 === 'number' && proxy.p95 > 0, 'with a merged p95')
  }

  // The per-second series: once the seconds are final (both workers moved past them), they hold every request.
  let rows: Rows = { t: [], rps: [], p50: [] }
  await until('the node series to count every request', async () => {
    const r = await get(node.port, '/_admin/api/series')
    rows = (JSON.parse(r.body) as { series: Rows }).series
    return sum(rows.rps) >= sent
  }, 20_000)
  t.equal(sum(rows.rps), sent, 'the series adds up both workers\' requests')
  t.ok(rows.rps.every((n, i) => n === 0 || typeof rows.p50[i] === 'number'), 'every second with requests has a p50')
  for (let i = 0; i < 4; i++) {
    const r = await get(node.port, '/_admin/api/series')
    t.equal(sum((JSON.parse(r.body) as { series: Rows }).series.rps), sent, `series ${i}: the same from any worker`)
  }
  for (let i = 0; i < 4; i++) {
    t.equal(sum((await liveHistory(node.port)).rps), sent, `live stream ${i}: its history is the node's`)
  }

  const page = await get(node.port, '/_admin/')
  t.equal(page.status, 200)
  t.notMatch(page.body, /worker-share|one of 2/, 'the page no longer says it shows one worker')
})
