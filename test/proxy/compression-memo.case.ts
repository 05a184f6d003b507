// proxy.compression.memo: the compressed bytes of a body are reused only for a byte-identical body. Bodies that
// share the memo key (same length, coding and sampled slices) but differ in one byte never get each other's bytes.
import t from '../helpers/cases.js'
import http from 'node:http'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import { BR, GZIP } from '../../src/core/content-coding.js'
import { CompressedMemo, memoKey } from '../../src/proxy/compression/memo.js'
import { CompressionPolicy } from '../../src/proxy/compression/decide.js'
import { ProxyCompressionSchema, type ProxyCompressionConfig } from '../../src/proxy/compression/schema.js'
import { compileConfigValidator } from '../../src/config/validate.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

function pageOf (len: number, fill = 'a product line that compresses well. '): Buffer {
  const b = Buffer.alloc(len)
  b.fill(fill)
  return b
}

/** A copy of `b` with the byte in the middle changed: same length, same sampled slices. */
function oneByteOff (b: Buffer): Buffer {
  const c = Buffer.from(b)
  const mid = Math.floor(c.length / 2)
  c[mid] = c[mid] === 0x5a ? 0x59 : 0x5a
  return c
}

t.test('bodies that differ in one byte in the middle share the key but never the compressed bytes', async t => {
  const a = pageOf(20_000)
  const b = oneByteOff(a)
  t.equal(memoKey(BR, a), memoKey(BR, b), 'the key does not see the middle byte: only the full comparison does')
  t.not(memoKey(BR, a), memoKey(GZIP, a), 'the coding is in the key')
  t.not(memoKey(BR, a), memoKey(BR, a.subarray(1)), 'the length is in the key')
  const memo = new CompressedMemo({ entries: 8, maxBytes: 1 << 20 })
  const outA = brotliCompressSync(a)
  memo.set(BR, a, outA)
  t.same(memo.get(BR, Buffer.from(a)), outA, 'a byte-identical body (another buffer) finds its bytes')
  t.equal(memo.get(BR, b), null, 'one byte off: nothing')
  t.equal(memo.get(GZIP, a), null, 'another coding: nothing')
  const outB = brotliCompressSync(b)
  memo.set(BR, b, outB)
  t.equal(memo.size, 1, 'same key: the newer body takes the slot')
  t.equal(memo.get(BR, a), null)
  t.same(brotliDecompressSync(memo.get(BR, b) as Buffer), b)
})

t.test('short bodies are keyed by every byte', async t => {
  const a = Buffer.from('short body')
  t.not(memoKey(GZIP, a), memoKey(GZIP, Buffer.from('shorT body')))
})

t.test('the stored copies are the memo\'s own: changing the caller\'s buffers changes nothing', async t => {
  const memo = new CompressedMemo({ entries: 8, maxBytes: 1 << 20 })
  const body = pageOf(5000)
  const original = Buffer.from(body)
  const out = gzipSync(body)
  const outCopy = Buffer.from(out)
  memo.set(GZIP, body, out)
  body.fill(0)
  out.fill(0)
  t.same(memo.get(GZIP, original), outCopy)
  t.equal(memo.get(GZIP, body), null)
})

t.test('bounded by entries and by bytes; an entry used since it was stored gets a second chance', async t => {
  const bodies = Array.from({ length: 6 }, (_, i) => pageOf(2000, `page ${i} `))
  const outs = bodies.map(b => gzipSync(b))
  const memo = new CompressedMemo({ entries: 3, maxBytes: 1 << 20 })
  for (let i = 0; i < 3; i++) memo.set(GZIP, bodies[i], outs[i])
  t.equal(memo.size, 3)
  t.ok(memo.get(GZIP, bodies[0]) !== null, 'body 0 used')
  memo.set(GZIP, bodies[3], outs[3])
  t.equal(memo.size, 3, 'at most 3 entries')
  t.ok(memo.get(GZIP, bodies[0]) !== null, 'the used entry stayed')
  t.equal(memo.get(GZIP, bodies[1]), null, 'the oldest unused entry went')
  const perEntry = bodies[0].length + outs[0].length
  const small = new CompressedMemo({ entries: 100, maxBytes: perEntry * 2 + 10 })
  for (let i = 0; i < 6; i++) small.set(GZIP, bodies[i], outs[i])
  t.ok(small.bytes <= perEntry * 2 + 10, `bytes held ${small.bytes} within the bound`)
  t.equal(small.size, 2)
  t.ok(small.get(GZIP, bodies[5]) !== null, 'the newest is in')
  const tiny = new CompressedMemo({ entries: 100, maxBytes: 100 })
  tiny.set(GZIP, bodies[0], outs[0])
  t.equal(tiny.size, 0, 'a pair larger than the whole bound is not stored')
})

t.test('a key whose bodies change every time stops being copied, until one of them is used again', async t => {
  const memo = new CompressedMemo({ entries: 8, maxBytes: 1 << 20 })
  const base = pageOf(20_000)
  const bodies = Array.from({ length: 40 }, (_, i) => {
    const b = Buffer.from(base)
    b.write(String(i).padStart(6, '0'), 10_000, 'latin1')
    return b
  })
  const outs = bodies.map(b => brotliCompressSync(b))
  t.equal(new Set(bodies.map(b => memoKey(BR, b))).size, 1, 'one key for all: the counter is between the samples')
  for (let i = 0; i < 4; i++) memo.set(BR, bodies[i], outs[i])
  t.equal(memo.get(BR, bodies[3]), null, 'the 4th replacement of a never-used entry is not stored')
  t.same(memo.get(BR, bodies[2]), outs[2], 'the last stored body is still answered (and now used)')
  memo.set(BR, bodies[4], outs[4])
  t.same(memo.get(BR, bodies[4]), outs[4], 'after a hit the key stores again')
  for (let i = 5; i < 40; i++) memo.set(BR, bodies[i], outs[i])
  for (let i = 5; i < 40; i++) {
    const got = memo.get(BR, bodies[i])
    if (got !== null) t.same(got, outs[i], `body ${i}: only its own bytes`)
  }
})

t.test('a memo without hits stores one body in 16 after 64 stores; a hit ends that', async t => {
  const memo = new CompressedMemo({ entries: 1000, maxBytes: 64 << 20 })
  // Distinct lengths: distinct keys.
  const body = (i: number): Buffer => pageOf(2000 + i)
  const out = gzipSync(pageOf(2000))
  for (let i = 0; i < 64; i++) memo.set(GZIP, body(i), out)
  t.equal(memo.size, 64)
  for (let i = 64; i < 96; i++) memo.set(GZIP, body(i), out)
  t.equal(memo.size, 66, '2 of the next 32 stored')
  t.ok(memo.get(GZIP, body(10)) !== null)
  for (let i = 96; i < 100; i++) memo.set(GZIP, body(i), out)
  t.equal(memo.size, 70, 'after a hit every body is stored again')
})

t.test('proxy.compression.memo.enabled: false (or no room) means no memo at all', async t => {
  const validate = compileConfigValidator(ProxyCompressionSchema)
  const config = (data: Record<string, unknown>): ProxyCompressionConfig => {
    t.same(validate(data), [])
    return data as ProxyCompressionConfig
  }
  const defaults = config({})
  t.equal(defaults.memo.maxBytes, 8 * 1024 * 1024)
  t.ok((CompressionPolicy.create(defaults) as CompressionPolicy).params.memo !== null, 'on by default')
  const off = config({ memo: { enabled: false } })
  t.equal((CompressionPolicy.create(off) as CompressionPolicy).params.memo, null)
  t.equal(CompressedMemo.create({ entries: 10, maxBytes: 0 }), null)
})

t.test('through the proxy: each client gets its own body, also when bodies alternate and share the key', async t => {
  const a = pageOf(20_000)
  const b = oneByteOff(a)
  let n = 0
  const origin = await startOrigin((req, res) => {
    req.resume()
    // /ab alternates a and b; /a is always a.
    const body = req.url === '/ab' && n++ % 2 === 1 ? b : a
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(body.length), 'cache-control': 'no-store' })
    res.end(body)
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())
  const agent = new Agent({ connections: 2 })
  t.after(() => agent.close())
  const get = async (path: string, accept: string): Promise<{ headers: http.IncomingHttpHeaders, raw: Buffer }> => {
    const res = await request(sidecar.url + path, { headers: { 'accept-encoding': accept }, dispatcher: agent })
    return { headers: res.headers as http.IncomingHttpHeaders, raw: Buffer.from(await res.body.arrayBuffer()) }
  }
  for (let i = 0; i < 6; i++) {
    const want = i % 2 === 1 ? b : a
    const br = await get('/ab', 'br')
    t.equal(br.headers['content-encoding'], 'br')
    t.ok(brotliDecompressSync(br.raw).equals(want), `br answer ${i} is ${i % 2 === 1 ? 'b' : 'a'}`)
  }
  for (let i = 0; i < 3; i++) {
    const gz = await get('/a', 'gzip')
    t.equal(gz.headers['content-encoding'], 'gzip')
    t.equal(gz.headers['content-length'], String(gz.raw.length))
    t.ok(gunzipSync(gz.raw).equals(a), `gzip answer ${i} from the memo after the first`)
    const br = await get('/a', 'br')
    t.ok(brotliDecompressSync(br.raw).equals(a))
  }
})
