// bench/cache-memory: fills the memory store with 10x its maxBytes of entries (mixed sizes, text and binary, as
// the cache stores them: own buffers, compressed copies for text) and prints the process RSS against the target
// maxBytes + 150 MB. Usage: node --expose-gc dist/bench/cache-memory.js [--max-bytes 256MB] [--factor 10]
import { randomBytes } from 'node:crypto'
import { MemoryStore } from '../src/plugins/cache/memory-store.js'
import { buildEntries } from '../src/plugins/cache/entry-builder.js'
import type { Analysis } from '../src/plugins/cache/policy.js'
import { benchArgs } from './lib/args.js'

const MB = 1024 * 1024

function gc (): void {
  (globalThis as { gc?: () => void }).gc?.()
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/cache-memory',
    run: 'node --expose-gc dist/bench/cache-memory.js',
    summary: 'Fills the memory cache store with --factor times its maxBytes of entries and prints the process RSS against maxBytes + 150 MB.',
    options: {
      'max-bytes': { type: 'bytes', default: '256MB', description: 'the store\'s cache.memory.maxBytes' },
      factor: { type: 'number', min: 1, default: 10, description: 'bytes of entries written, as a multiple of --max-bytes' }
    }
  })
  const maxBytes = values['max-bytes']
  const factor = values.factor
  const store = new MemoryStore({ maxBytes, maxObjectSize: 4 * MB })
  let evictions = 0
  store.on('evict', () => { evictions++ })
  gc()
  const baseline = process.memoryUsage().rss
  const analysis: Analysis = { uncacheable: null, freshMs: 3_600_000, swrMs: 0, sieMs: 0, revalidatable: false, authOk: false, initialAge: 0, vary: [] }
  const words = 'product catalog price stock delivery warranty review customer '.repeat(2000)
  let written = 0
  let peak = 0
  let i = 0
  const started = performance.now()
  while (written < factor * maxBytes) {
    // 70% text pages of 2-60 KB (compressed too), 30% binary assets of 1-200 KB.
    const text = i % 10 < 7
    const size = text ? 2048 + (i * 7919) % (58 * 1024) : 1024 + (i * 104729) % (199 * 1024)
    const body = text ? Buffer.from(words.slice(i % 1000, (i % 1000) + size)) : randomBytes(size)
    const [entry] = await buildEntries({
      key: `/page-${i}\thttp://shop\t`,
      status: 200,
      headers: { 'content-type': text ? 'text/html' : 'image/png', 'cache-control': 'max-age=3600', etag: `"${i}"` },
      body,
      analysis,
      responseTime: Date.now(),
      rule: 'bench',
      requestHeaders: {},
      compress: text
    })
    store.set(entry)
    written += body.length + (entry.br?.length ?? 0) + (entry.gzip?.length ?? 0)
    i++
    if (i % 2000 === 0) peak = Math.max(peak, process.memoryUsage().rss)
  }
  gc()
  const rss = process.memoryUsage().rss
  peak = Math.max(peak, rss)
  const limit = maxBytes + 150 * MB
  console.log(`bench/cache-memory: memory store maxBytes ${(maxBytes / MB).toFixed(0)} MB, wrote ${(written / MB).toFixed(0)} MB ` +
    `(${factor}x) in ${i} entries, ${((performance.now() - started) / 1000).toFixed(1)} s`)
  console.log(`store accounting: ${(store.size.bytes / MB).toFixed(1)} MB in ${store.size.entries} entries, ${evictions} evictions`)
  console.log(`RSS: baseline ${(baseline / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB, after GC ${(rss / MB).toFixed(0)} MB`)
  console.log(`headline: RSS ${(peak / MB).toFixed(0)} MB vs limit maxBytes + 150 MB = ${(limit / MB).toFixed(0)} MB: ${peak <= limit ? 'within' : 'OVER'} (${(peak / limit).toFixed(2)}x)`)
}

main().catch(err => { console.error(err); process.exit(1) })
