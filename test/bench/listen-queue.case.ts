import t from '../helpers/cases.js'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { ListenQueueWatch, listenWindowText, procCounters, sampleListenQueue } from '../../bench/lib/listen-queue.js'

t.test('ss reads a listener\'s accept queue and its limit (the backlog)', async t => {
  const server = net.createServer(s => s.destroy())
  await new Promise<void>(resolve => server.listen({ host: '127.0.0.1', port: 0, backlog: 7 }, resolve))
  t.after(() => new Promise<void>(resolve => server.close(() => resolve())))
  const port = (server.address() as AddressInfo).port
  const s = await sampleListenQueue(port)
  if (s === null) {
    t.pass('ss is not available here', { skip: true })
    return
  }
  t.same(s, { queued: 0, limit: 7 })
  t.equal(await sampleListenQueue(1), null, 'nothing listens on port 1')

  const watch = new ListenQueueWatch(port)
  watch.start()
  await new Promise(resolve => setTimeout(resolve, 100))
  const w = await watch.stop()
  t.equal(w.port, port)
  t.ok(w.samples >= 1)
  t.equal(w.limit, 7)
  t.equal(w.fullSamples, 0)
  t.match(listenWindowText(w), new RegExp(`^listen queue of :${port} \\(ss, \\d+ samples?\\): median 0, max 0 of 7; TcpExtListenOverflows \\+\\d+`))
})

t.test('the machine-wide counters from /proc/net/netstat', async t => {
  const c = procCounters()
  if (c === null) {
    t.pass('/proc/net/netstat is not readable here', { skip: true })
    return
  }
  t.ok(Number.isInteger(c.overflows) && c.overflows >= 0)
  t.ok(c.drops >= c.overflows, 'ListenDrops counts the overflows too')
})
