import t from '../helpers/cases.js'
import { SidecarRequestState } from '../../src/core/sidecar.js'
import { addResponseHeaders, appendResponseHeaders, withResponseHeaders } from '../../src/core/response-headers.js'

t.test('setResponseHeader keeps one value per name, the last one, as strings', async t => {
  const state = new SidecarRequestState('proxy', 0)
  t.equal(state.responseHeaders, null, 'none until the first')
  state.setResponseHeader('ratelimit', '"ip";r=9;t=60')
  state.setResponseHeader('x-ratelimit-limit', 10)
  state.setResponseHeader('ratelimit', '"ip";r=8;t=59')
  t.same(state.responseHeaders, ['ratelimit', '"ip";r=8;t=59', 'x-ratelimit-limit', '10'])
})

t.test('the response\'s own header of the same name wins in every form', async t => {
  const extra = ['cache-status', 'sipup; bypass', 'ratelimit', 'r']
  const obj: Record<string, string | string[] | number> = { 'cache-status': 'origin; hit', 'content-length': 3 }
  addResponseHeaders(obj, extra)
  t.same(obj, { 'cache-status': 'origin; hit', 'content-length': 3, ratelimit: 'r' })

  const flat = ['cache-status', 'origin; hit', 'link', '</a>', 'link', '</b>']
  appendResponseHeaders(flat, extra)
  t.same(flat, ['cache-status', 'origin; hit', 'link', '</a>', 'link', '</b>', 'ratelimit', 'r'])

  addResponseHeaders(obj, null)
  appendResponseHeaders(flat, null)
  t.equal(flat.length, 8, 'nothing to add: unchanged')
})

t.test('a shared header list (a cache entry\'s) is copied, never changed', async t => {
  const shared = ['content-type', 'text/html', 'age', '0']
  const names = new Set(['content-type', 'age'])
  t.equal(withResponseHeaders(shared, names, null), shared, 'nothing to add: the list itself')
  const out = withResponseHeaders(shared, names, ['age', '99', 'ratelimit', 'r'])
  t.same(out, ['content-type', 'text/html', 'age', '0', 'ratelimit', 'r'])
  t.same(shared, ['content-type', 'text/html', 'age', '0'])
})
