// bench/compression: what pass-through compression (proxy.compression) costs in requests/s and saves in bytes.
// Usage: node dist/bench/compression.js [--rounds 7] [--seconds 5] [--connections 32] [--quality 4]
//   [--baseline /path/to/another/built/checkout]
import { COMPRESSION_DEFAULTS, DEFAULT_QUALITY, runCompressionBench } from './lib/compression-bench.js'
import { median } from './lib/wrk.js'
import { benchArgs } from './lib/args.js'

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/compression',
    summary: 'What pass-through compression (proxy.compression) costs in requests/s and saves in bytes.',
    options: {
      rounds: { type: 'int', default: COMPRESSION_DEFAULTS.rounds, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: COMPRESSION_DEFAULTS.seconds, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: COMPRESSION_DEFAULTS.connections, description: 'connections the load generator keeps open (wrk -c)' },
      quality: { type: 'int', min: 0, max: 11, default: DEFAULT_QUALITY, description: 'proxy.compression.brotliQuality of the compressing sidecar' },
      baseline: { type: 'string', placeholder: '<dir>', description: 'another built checkout, run beside this one with compression on' }
    }
  })
  const r = await runCompressionBench({
    rounds: values.rounds,
    seconds: values.seconds,
    connections: values.connections,
    brotliQuality: values.quality,
    baseline: values.baseline
  })
  const pct = (part: number, whole: number): string => `${(100 * (1 - part / whole)).toFixed(0)}%`
  console.log(`bench/compression: GET of a ${r.pageBytes}-byte HTML page (the demo shop's catalog template), ${r.settings}`)
  console.log(`${'party'.padEnd(22)} ${'req/s (median)'.padStart(14)} ${'min'.padStart(7)} ${'max'.padStart(7)} ${'µs CPU/resp'.padStart(12)}`)
  for (const p of r.parties) {
    const rps = p.runs.map(x => x.rps)
    console.log(`${p.name.padEnd(22)} ${median(rps).toFixed(0).padStart(14)} ${Math.min(...rps).toFixed(0).padStart(7)} ` +
      `${Math.max(...rps).toFixed(0).padStart(7)} ${median(p.cpuUs).toFixed(1).padStart(12)}`)
  }
  for (const c of r.comparisons) {
    console.log(`${c.what}: ${c.ratio.toFixed(2)}x (per round ${c.perRound.map(x => x.toFixed(2)).join(' ')}), ` +
      `compression cost ${c.costUs.toFixed(1)} µs CPU per response`)
  }
  console.log('\nbytes of the demo shop\'s pages through the sidecar (identity / br / gzip, saved):')
  for (const p of [...r.shop, r.shopTotal]) {
    console.log(`  ${p.path.padEnd(30)} ${String(p.identity).padStart(7)} ${String(p.br).padStart(7)} ${String(p.gzip).padStart(7)}  br -${pct(p.br, p.identity)} gzip -${pct(p.gzip, p.identity)}`)
  }
  const [head, , unique] = r.comparisons
  console.log(`headline: compression on = ${head.ratio.toFixed(2)}x the pass-through requests/s of compression off for a 20 KB HTML page ` +
    `(median of ${head.perRound.length} per-round ratios; target >= 0.85; ${unique.ratio.toFixed(2)}x when every body is new); ` +
    `demo shop pages ${pct(r.shopTotal.br, r.shopTotal.identity)} smaller with br`)
}

main().catch(err => { console.error(err); process.exit(1) })
