import t from '../helpers/cases.js'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { request } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

/** Resolves when `signal` is called, or rejects `ms` after `arm()` so a buffering proxy fails the test instead of
 * hanging it. The clock starts at arm(), when the request is sent: a loaded machine's slow sidecar start-up is not
 * the proxy buffering. */
function latch (ms: number, what: string): { wait: Promise<void>, arm: () => void, signal: () => void } {
  let signal: () => void = () => {}
  let fail: (err: Error) => void = () => {}
  const wait = new Promise<void>((resolve, reject) => {
    signal = resolve
    fail = reject
  })
  let timer: NodeJS.Timeout | undefined
  // Clears the timer once signalled; its rejection handler also keeps an early timeout from counting as unhandled
  // (the rejection is seen where `wait` is awaited).
  wait.then(() => clearTimeout(timer), () => {})
  const arm = (): void => { timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}: the body was buffered`)), ms) }
  return { wait, arm, signal }
}

t.test('proxy.requestBuffering off: request bodies are streamed, the origin sees the first chunk before the client sends the rest', async t => {
  const firstChunkAtOrigin = latch(5000, 'the first upload chunk at the origin')
  const origin = await startOrigin((req, res) => {
    const hash = createHash('sha256')
    let bytes = 0
    req.on('data', (c: Buffer) => { if (bytes === 0) firstChunkAtOrigin.signal(); bytes += c.length; hash.update(c) })
    req.on('end', () => { res.end(JSON.stringify({ bytes, sha: hash.digest('hex') })) })
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { requestBuffering: false } })
  t.after(() => sidecar.close())

  const chunk = Buffer.alloc(1024 * 1024, 7)
  const expected = createHash('sha256')
  async function * upload (): AsyncGenerator<Buffer> {
    expected.update(chunk)
    yield chunk
    await firstChunkAtOrigin.wait
    for (let i = 1; i < 50; i++) { expected.update(chunk); yield chunk }
  }
  firstChunkAtOrigin.arm()
  const res = await request(`${sidecar.url}/upload.php`, { method: 'POST', body: Readable.from(upload()) })
  const got = await res.body.json() as { bytes: number, sha: string }
  t.equal(res.statusCode, 200)
  t.equal(got.bytes, 50 * 1024 * 1024, '50 MB arrived')
  t.equal(got.sha, expected.digest('hex'), 'byte for byte')
})

t.test('response bodies are streamed: the client gets the first chunk before the origin finishes', async t => {
  const firstChunkAtClient = latch(5000, 'the first response chunk at the client')
  const origin = await startOrigin((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('first;')
    firstChunkAtClient.wait.then(() => res.end('rest'), () => res.end('never'))
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())
  firstChunkAtClient.arm()
  const res = await request(`${sidecar.url}/report.php`)
  let text = ''
  for await (const c of res.body) {
    text += (c as Buffer).toString()
    if (text === 'first;') firstChunkAtClient.signal()
  }
  t.equal(text, 'first;rest')
})

t.test('proxy.maxRequestBody: 413 for a declared length over the limit, without contacting the origin', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { maxRequestBody: '1KB' } })
  t.after(() => sidecar.close())
  const res = await request(`${sidecar.url}/upload.php`, { method: 'POST', body: Buffer.alloc(2048), headers: { accept: 'application/json' } })
  const body = await res.body.json() as { code: string }
  t.equal(res.statusCode, 413)
  t.equal(body.code, 'SIPUP_ERR_REQUEST_BODY_TOO_LARGE')
  t.equal(origin.requests.length, 0, 'origin never saw it')
})

for (const requestBuffering of [true, false]) {
  t.test(`proxy.maxRequestBody: a chunked upload over the limit is cut off with 413 (requestBuffering ${String(requestBuffering)})`, async t => {
    const origin = await startOrigin((req, res) => { req.resume(); req.on('end', () => res.end('ok')); req.on('error', () => {}) })
    t.after(() => origin.close())
    const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { maxRequestBody: '64KB', requestBuffering } })
    t.after(() => sidecar.close())
    async function * big (): AsyncGenerator<Buffer> { for (let i = 0; i < 10; i++) yield Buffer.alloc(16 * 1024) }
    const res = await request(`${sidecar.url}/upload.php`, { method: 'POST', body: Readable.from(big()), headers: { accept: 'application/json' } })
    const body = await res.body.json() as { code: string }
    t.equal(res.statusCode, 413)
    t.equal(body.code, 'SIPUP_ERR_REQUEST_BODY_TOO_LARGE')
  })
}
