// The charts' server-sent events: history first, then a row per second; open streams don't hold up shutdown.
import t from '../helpers/cases.js'
import { request } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

interface Rows { t: number[], rps: number[] }

t.test('the stream sends the history, then new rows as traffic happens', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sc.close())
  const res = await request(`${sc.url}/_admin/api/live`)
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], 'text/event-stream')
  const events: { event: string, rows: Rows }[] = []
  let buf = ''
  let sent = false
  for await (const chunk of res.body) {
    buf += (chunk as Buffer).toString()
    let i: number
    while ((i = buf.indexOf('\n\n')) !== -1) {
      const block = buf.slice(0, i)
      buf = buf.slice(i + 2)
      const event = /^event: (.+)$/m.exec(block)?.[1]
      const data = /^data: (.+)$/m.exec(block)?.[1]
      if (event !== undefined && data !== undefined) events.push({ event, rows: JSON.parse(data) as Rows })
    }
    // Traffic after the stream is open must show up in a later tick.
    if (!sent) {
      sent = true
      for (let n = 0; n < 5; n++) await (await fetch(`${sc.url}/p${n}`)).text()
    }
    // The five requests may straddle a second boundary, so read ticks until they are all counted (or 5 ticks pass).
    const ticksSoFar = events.filter(e => e.event === 'tick')
    const counted = ticksSoFar.flatMap(e => e.rows.rps).reduce((a, b) => a + b, 0)
    if (counted >= 5 || ticksSoFar.length >= 5) break
  }
  res.body.destroy()
  const ticks = events.filter(e => e.event === 'tick')
  t.ok(ticks.length >= 1, 'ticks arrive')
  t.equal(ticks.flatMap(e => e.rows.rps).reduce((a, b) => a + b, 0), 5, 'the five requests are in the rows')
  const times = events.flatMap(e => e.rows.t)
  t.same(times, [...times].sort((a, b) => a - b), 'rows arrive in order')
  t.equal(new Set(times).size, times.length, 'no row twice')
})

t.test('close() ends open streams instead of waiting for them', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url } })
  const streams = await Promise.all([1, 2, 3].map(async () => request(`${sc.url}/_admin/api/live`)))
  t.same(streams.map(s => s.statusCode), [200, 200, 200])
  const ended = streams.map(s => new Promise<void>(resolve => {
    s.body.on('end', resolve).on('error', () => { resolve() }).resume()
  }))
  await sc.close()
  await Promise.all(ended)
  t.pass('closed with three dashboards open')
})
