// proxy.compression's per-codec settings (gzipLevel, gzipMemLevel, gzipWindowBits, brotliQuality, brotliWindow):
// a bad value stops start-up with the key named, and a good one is what the compressor is given.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { brotliCompressSync, constants, gunzipSync, gzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import type { ConfigIssue } from '../../src/config/load.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { brotliWindowFor, gzipMemLevelFor, gzipWindowFor } from '../../src/proxy/compression/codecs.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

const html = '<!doctype html><html><body>' + Array.from({ length: 300 }, (_, i) =>
  `<p class="item">Product ${i}: a description that compresses well, price ${(i * 1.37).toFixed(2)}</p>`).join('\n') +
  '</body></html>'

function issuesOf (t: Test, yaml: string): { code: string, lines: string[] } {
  const dir = t.testdir({})
  const path = join(dir, 'prod.yaml')
  writeFileSync(path, yaml)
  const shown = relative(process.cwd(), path)
  try {
    loadConfig({ file: path, env: {} })
  } catch (err) {
    const e = err as Error & { code: string, issues?: ConfigIssue[] }
    return { code: e.code, lines: (e.issues ?? []).map(i => `${i.source === shown ? 'file' : i.source}: ${i.path}: ${i.message}`).sort() }
  }
  throw new Error('expected loadConfig to throw')
}

t.test('out-of-range levels and windows are config errors naming each key, all at once', async t => {
  const p = issuesOf(t, 'proxy:\n  compression:\n    gzipLevel: 12\n    brotliQuality: -1\n    gzipMemLevel: 0\n' +
    '    gzipWindowBits: 8\n    brotliWindow: 25\n')
  t.equal(p.code, 'SIPUP_ERR_CONFIG_INVALID')
  t.same(p.lines, [
    'file: proxy.compression.brotliQuality: expected integer between 0 and 11, got -1',
    'file: proxy.compression.brotliWindow: expected integer between 10 and 24, got 25',
    'file: proxy.compression.gzipLevel: expected integer between 1 and 9, got 12',
    'file: proxy.compression.gzipMemLevel: expected integer between 1 and 9, got 0',
    'file: proxy.compression.gzipWindowBits: expected integer between 9 and 15, got 8'
  ])
})

t.test('a level that is not an integer is an error too', async t => {
  const p = issuesOf(t, 'proxy:\n  compression:\n    gzipLevel: fast\n    brotliQuality: 4.5\n')
  t.equal(p.code, 'SIPUP_ERR_CONFIG_INVALID')
  t.same(p.lines, [
    'file: proxy.compression.brotliQuality: expected integer between 0 and 11, got 4.5',
    'file: proxy.compression.gzipLevel: expected integer between 1 and 9, got "fast"'
  ])
})

t.test('a body gets the smallest window that holds it, up to the configured largest', async t => {
  t.equal(gzipWindowFor(20 * 1024, 15), 15, '20 KB needs the 32 KB window')
  t.equal(gzipWindowFor(1024, 15), 11, 'the reach is 2^w - 262 bytes')
  t.equal(gzipWindowFor(100, 15), 9, 'deflate\'s smallest window')
  t.equal(gzipWindowFor(20 * 1024, 12), 12, 'never above the configured largest')
  t.equal(gzipWindowFor(0, 14), 14, 'unknown size: the largest')
  t.equal(gzipMemLevelFor(15, 8), 8, 'a 20 KB body: the configured memLevel')
  t.equal(gzipMemLevelFor(15, 9), 9)
  t.equal(gzipMemLevelFor(11, 8), 5, 'a 1 KB body: 2^(5 + 6) symbols per block cover it')
  t.equal(gzipMemLevelFor(9, 8), 3)
  t.equal(gzipMemLevelFor(12, 1), 1)
  t.equal(brotliWindowFor(20 * 1024, 19), 15)
  t.equal(brotliWindowFor(20 * 1024, 12), 12)
  t.equal(brotliWindowFor(0, 22), 22)
})

t.test('the configured settings are the ones the response is compressed with', async t => {
  const small = html.slice(0, 2000)
  const origin = await startOrigin((req, res) => {
    const body = req.url === '/small' ? small : html
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body)) })
    res.end(body)
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    proxy: { compression: { gzipLevel: 9, gzipMemLevel: 9, brotliQuality: 7, memo: { enabled: false } } }
  })
  t.after(() => sidecar.close())
  const agent = new Agent({ connections: 1 })
  t.after(() => agent.close())
  const get = async (accept: string, path = '/p'): Promise<{ enc: unknown, body: Buffer }> => {
    const res = await request(sidecar.url + path, { headers: { 'accept-encoding': accept }, dispatcher: agent })
    return { enc: res.headers['content-encoding'], body: Buffer.from(await res.body.arrayBuffer()) }
  }
  const src = Buffer.from(html)
  const gz = await get('gzip')
  t.equal(gz.enc, 'gzip')
  t.ok(src.length > 20 * 1024, 'a body that needs the largest window')
  t.same(gz.body, gzipSync(src, { level: 9, memLevel: 9, windowBits: 15 }), 'gzip 9, memLevel 9')
  t.not(gz.body.length, gzipSync(src, { level: 1 }).length, 'not level 1\'s output')
  t.equal(gunzipSync(gz.body).toString(), html)
  const gzSmall = await get('gzip', '/small')
  t.same(gzSmall.body, gzipSync(Buffer.from(small), { level: 9, memLevel: 6, windowBits: 12 }),
    'a 2 KB body: the 4 KB window and memLevel 6')
  const br = await get('br')
  t.equal(br.enc, 'br')
  t.same(br.body, brotliCompressSync(src, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 7,
      [constants.BROTLI_PARAM_LGWIN]: brotliWindowFor(src.length, 19),
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT
    }
  }), 'brotli quality 7')
})
