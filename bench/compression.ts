// bench/compression: what pass-through compression (proxy.compression) costs in requests/s and saves in bytes.
// Usage: node dist/bench/compression.js [--rounds 7] [--seconds 5] [--connections 32] [--quality 4]
import { parseArgs } from 'node:util'
import { runCompressionBench } from './lib/compression-bench.js'

async function main (): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, quality: { type: 'string' } } })
  const r = await runCompressionBench({
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
    seconds: values.seconds === undefined ? undefined : Number(values.seconds),
    connections: values.connections === undefined ? undefined : Number(values.connections),
    brotliQuality: values.quality === undefined ? undefined : Number(values.quality)
  })
  const pct = (part: number, whole: number): string => `${(100 * (1 - part / whole)).toFixed(0)}%`
  console.log(`bench/compression: GET of a ${r.pageBytes}-byte HTML page (the demo shop's catalog template), ${r.settings}`)
  console.log(r.table)
  console.log(`per-round on / off ratios: ${r.perRound.map(x => x.toFixed(2)).join(' ')}`)
  console.log('\nbytes of the demo shop\'s pages through the sidecar (identity / br / gzip, saved):')
  for (const p of [...r.shop, r.shopTotal]) {
    console.log(`  ${p.path.padEnd(30)} ${String(p.identity).padStart(7)} ${String(p.br).padStart(7)} ${String(p.gzip).padStart(7)}  br -${pct(p.br, p.identity)} gzip -${pct(p.gzip, p.identity)}`)
  }
  console.log(`headline: compression on = ${r.ratio.toFixed(2)}x the pass-through requests/s of compression off for a 20 KB HTML page ` +
    `(median of ${r.perRound.length} per-round ratios; target >= 0.85); demo shop pages ${pct(r.shopTotal.br, r.shopTotal.identity)} smaller with br`)
}

main().catch(err => { console.error(err); process.exit(1) })
