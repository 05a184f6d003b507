// The hook's client address (clientAddress, the peer's trust decided once per connection) is Fastify's request.ip
// for every trust list, peer and X-Forwarded-For shape.
import t from '../helpers/cases.js'
import Fastify from 'fastify'
import { AddressList } from '../../src/config/address-list.js'
import { clientAddress } from '../../src/plugins/rate-limit/client-ip.js'

const TRUST_LISTS = [['127.0.0.1/8', '::1/128'], ['10.0.0.0/8'], ['loopback', 'uniquelocal'], ['203.0.113.9'], []]
const PEERS = ['127.0.0.1', '::ffff:127.0.0.1', '::1', '10.1.2.3', '203.0.113.9', '2001:db8::5']
const FORWARDED: (string | undefined)[] = [undefined, '', '   ', '198.51.100.1', ' 198.51.100.1\t', 'not-an-ip', '2001:db8::1',
  '198.51.100.1, 10.0.0.1', '10.0.0.1,198.51.100.2', '198.51.100.1,, 127.0.0.1', ', 198.51.100.3']

t.test('clientAddress equals request.ip', async t => {
  for (const list of TRUST_LISTS) {
    const app = Fastify({ trustProxy: list.length === 0 ? [] : list })
    const trust = new AddressList(list)
    app.get('/', async request => {
      const peer = request.raw.socket.remoteAddress ?? ''
      return { fastify: request.ip, ours: clientAddress(request, trust.has(peer)) }
    })
    let cases = 0
    for (const remoteAddress of PEERS) {
      for (const xff of FORWARDED) {
        const res = await app.inject({ url: '/', remoteAddress, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } })
        const { fastify, ours } = res.json<{ fastify: string, ours: string }>()
        if (fastify !== ours) t.fail(`trust ${JSON.stringify(list)}, peer ${remoteAddress}, X-Forwarded-For ${JSON.stringify(xff)}: ${ours} != ${fastify}`)
        cases++
      }
    }
    t.pass(`${cases} cases agree with trust ${JSON.stringify(list)}`)
    await app.close()
  }
})
