// Metrics move with traffic: each proxied request adds one to its counter, origin failures are counted apart, and
// admin requests (the dashboard's own polling) are not counted at all.
import t from '../helpers/cases.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { sample } from './prom-text.js'

const REQUESTS = 'sipup_http_requests_total'

t.test('a request adds one to its counter and histogram', async t => {
  const origin = await startOrigin((req, res) => { res.statusCode = req.url === '/missing' ? 404 : 200; res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sc.close())
  const metrics = async (): Promise<string> => (await fetch(`${sc.url}/_admin/metrics`)).text()

  const before = await metrics()
  t.equal(sample(before, REQUESTS), 0, 'nothing counted yet (admin requests are not counted)')

  await (await fetch(`${sc.url}/page`)).text()
  let text = await metrics()
  t.equal(sample(text, REQUESTS, { route: 'proxy', method: 'GET', status_class: '2xx', cache: 'none' }), 1)
  t.equal(sample(text, 'sipup_http_request_duration_seconds_count', { route: 'proxy', method: 'GET' }), 1)
  t.equal(sample(text, 'sipup_upstream_request_duration_seconds_count', { route: 'proxy' }), 1)

  await (await fetch(`${sc.url}/page`, { method: 'POST', body: 'x=1' })).text()
  await (await fetch(`${sc.url}/missing`)).text()
  text = await metrics()
  t.equal(sample(text, REQUESTS, { method: 'GET', status_class: '2xx' }), 1, 'the first counter did not move')
  t.equal(sample(text, REQUESTS, { method: 'POST', status_class: '2xx' }), 1)
  t.equal(sample(text, REQUESTS, { method: 'GET', status_class: '4xx' }), 1)
  t.equal(sample(text, REQUESTS), 3, 'three proxied requests in total; the scrapes are not counted')
  t.match(text, /# TYPE sipup_http_requests_total counter/)
  t.match(text, /# TYPE sipup_http_request_duration_seconds histogram/)
  t.match(text, /^process_cpu_user_seconds_total /m, 'Node process metrics')
})

t.test('origin failures are counted as upstream errors, apart from the request counter', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  const url = origin.url
  await origin.close()
  const sc = await startSidecar({ upstream: { url, connectTimeout: '500ms' } })
  t.after(() => sc.close())
  const res = await fetch(`${sc.url}/down`)
  await res.text()
  t.ok(res.status >= 502 && res.status <= 504, `answered ${res.status}`)
  const text = await (await fetch(`${sc.url}/_admin/metrics`)).text()
  t.equal(sample(text, REQUESTS, { status_class: '5xx' }), 1)
  t.equal(sample(text, 'sipup_upstream_errors_total', { route: 'proxy', code: 'ECONNREFUSED' }), 1)
})

t.test('metrics.enabled: false serves no /metrics and adds no HTTP metrics', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url }, metrics: { enabled: false } })
  t.after(() => sc.close())
  await (await fetch(`${sc.url}/page`)).text()
  t.equal((await fetch(`${sc.url}/_admin/metrics`)).status, 404)
  t.equal(sc.app.sidecar.metrics.getSingleMetric(REQUESTS), undefined)
})
