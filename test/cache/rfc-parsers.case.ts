// The small parsers behind the RFC behaviours, on plain data: Age, targeted cache-control fields, Range, If-Range.
import t from '../helpers/cases.js'
import { parseAge } from '../../src/plugins/cache/policy.js'
import { ifRangeMatches, MAX_RANGES, parseRange } from '../../src/plugins/cache/range.js'
import { policyView, targetedValue, targetList, withoutTargeted } from '../../src/plugins/cache/targeted.js'

t.test('Age: delta-seconds only, capped at 2^31', async t => {
  t.equal(parseAge('60'), 60)
  t.equal(parseAge(['5', '9']), 5)
  t.equal(parseAge('99999999999999'), 2 ** 31)
  for (const bad of ['7200.0', '-1', '1e3', ' ', 'abc', undefined]) t.equal(parseAge(bad), 0, String(bad))
})

t.test('targeted fields: first valid one of the list, names and values checked', async t => {
  t.same(targetList('Sipup-Cache-Control', true), ['sipup-cache-control', 'cdn-cache-control'])
  t.same(targetList('', true), ['cdn-cache-control'])
  t.same(targetList('X-Own', false), ['x-own'])
  const names = targetList('Sipup-Cache-Control', true)
  t.equal(targetedValue({ 'cdn-cache-control': 'max-age=60' }, names), 'max-age=60')
  t.equal(targetedValue({ 'sipup-cache-control': 'Max-Age=5, no-transform', 'cdn-cache-control': 'max-age=60' }, names), 'max-age=5, no-transform')
  t.equal(targetedValue({ 'sipup-cache-control': 'max-age=5 6', 'cdn-cache-control': 'max-age=60' }, names), 'max-age=60', 'an invalid one is skipped')
  t.equal(targetedValue({ 'sipup-cache-control': '' }, names), null)
  t.equal(targetedValue({ 'cdn-cache-control': 'max-age=60,,' }, names), null)
  t.equal(targetedValue({ 'cdn-cache-control': 'private="x-a"' }, names), 'private="x-a"')
  t.same(policyView({ 'cache-control': 'no-store', expires: 'x', pragma: 'no-cache', etag: '"e"' }, 'max-age=9'),
    { etag: '"e"', 'cache-control': 'max-age=9' })
  const h = { a: '1' }
  t.equal(withoutTargeted(h, names), h, 'no copy when there is nothing to remove')
  t.same(withoutTargeted({ a: '1', 'cdn-cache-control': 'x' }, names), { a: '1' })
})

t.test('Range: satisfiable parts, unsatisfiable, or ignored', async t => {
  t.same(parseRange('bytes=0-9', 100), [[0, 9]])
  t.same(parseRange('bytes=-10', 100), [[90, 99]])
  t.same(parseRange('bytes=-200', 100), [[0, 99]])
  t.same(parseRange('bytes=90-', 100), [[90, 99]])
  t.same(parseRange('Bytes = 0-1 , 5-6', 100), [[0, 1], [5, 6]])
  t.same(parseRange('bytes=0-1, 200-300', 100), [[0, 1]], 'unsatisfiable parts are dropped')
  t.equal(parseRange('bytes=100-', 100), 'unsatisfiable')
  t.equal(parseRange('bytes=-5', 0), 'unsatisfiable')
  for (const ignored of ['items=0-1', 'bytes=5-1', 'bytes=-', 'bytes=a-b', 'bytes', 'bytes=0-99,0-99']) {
    t.equal(parseRange(ignored, 100), null, ignored)
  }
  t.equal(parseRange(`bytes=${Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i}-${i}`).join(',')}`, 1000), null)
})

t.test('If-Range: strong ETag match, or a strong Last-Modified date', async t => {
  const stored = { etag: '"a"', 'last-modified': 'Tue, 01 Dec 2026 06:00:00 GMT', date: 'Wed, 02 Dec 2026 06:00:00 GMT' }
  t.ok(ifRangeMatches(undefined, stored))
  t.ok(ifRangeMatches('"a"', stored))
  t.notOk(ifRangeMatches('"b"', stored))
  t.notOk(ifRangeMatches('W/"a"', stored))
  t.notOk(ifRangeMatches('"a"', { ...stored, etag: 'W/"a"' }))
  t.ok(ifRangeMatches('Tue, 01 Dec 2026 06:00:00 GMT', stored))
  t.notOk(ifRangeMatches('Tue, 01 Dec 2026 06:00:00 GMT', { ...stored, date: 'Tue, 01 Dec 2026 06:00:00 GMT' }), 'a weak date')
  t.notOk(ifRangeMatches('Mon, 30 Nov 2026 06:00:00 GMT', stored))
})

t.test('a targeted header name that would strip a needed header is a config error', async t => {
  for (const bad of ['Cache-Control', 'expires', 'Vary', 'bad name', 'a:b']) {
    t.throws(() => targetList(bad, true), { code: 'SIPUP_ERR_CACHE_CONFIG', message: /cache\.targetedHeader: expected a header name of its own/ }, bad)
  }
})
