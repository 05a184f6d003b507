// Loaded into a bench party with `node --import <this file>` (bench/hit-gap.ts): counts the garbage collections V8
// reports through perf_hooks, by kind, with their main-thread pause time, and prints the totals so far as one
// `gc-probe {json}` line on stdout at each SIGUSR2. The observer costs a little per GC, not per request, so the
// parties it is loaded into pay alike; bench/hit-gap measures CPU in processes without it.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'

const KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb'
}

const counts: Record<string, number> = { minor: 0, major: 0, incremental: 0, weakcb: 0 }
const ms: Record<string, number> = { minor: 0, major: 0, incremental: 0, weakcb: 0 }

new PerformanceObserver(list => {
  for (const e of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
    const kind = KINDS[e.detail?.kind ?? -1] ?? 'other'
    counts[kind] = (counts[kind] ?? 0) + 1
    ms[kind] = (ms[kind] ?? 0) + e.duration
  }
}).observe({ entryTypes: ['gc'] })

process.on('SIGUSR2', () => {
  const h = getHeapStatistics()
  process.stdout.write(`gc-probe ${JSON.stringify({ counts, ms, heapUsed: h.used_heap_size, heapTotal: h.total_heap_size })}\n`)
})
