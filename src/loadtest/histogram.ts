// Latencies are recorded in microseconds into HdrHistograms (3 significant digits: 0.1% resolution at any scale).
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, JsHistogram, type Histogram } from 'hdr-histogram-js'

export interface LatencySummary {
  /** All figures in milliseconds. */
  min: number
  avg: number
  p50: number
  p90: number
  p95: number
  p99: number
  p999: number
  max: number
  count: number
}

/** 1 µs to 1 hour; auto-resizes beyond. */
export function createHistogram (digits: 2 | 3 = 3): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: digits, bitBucketSize: 32 })
}

/** Records a duration given in milliseconds (fractions allowed). */
export function recordMs (h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.round(ms * 1000)))
}

/** A histogram as plain data (for a load split over processes, merge.ts): HdrHistogram's compressed encoding keeps
 * every bucket's count, but not the exact min and max, which it rounds to their bucket: they travel beside it. */
export interface EncodedHistogram {
  counts: string
  min: number
  max: number
}

export function encodeHistogram (h: Histogram): EncodedHistogram {
  return { counts: encodeIntoCompressedBase64(h), min: h.minNonZeroValue, max: h.maxValue }
}

export function decodeHistogram (e: EncodedHistogram): Histogram {
  const h = decodeFromCompressedBase64(e.counts, 32, false)
  // JS (not WebAssembly) histograms keep min and max as plain fields: restore the exact ones.
  if (h instanceof JsHistogram && h.totalCount > 0) {
    h.maxValue = e.max
    h.minNonZeroValue = e.min
  }
  return h
}

/** Adds `from`'s counts to `into`: every percentile of `into` is then the percentile of both sets of samples. */
export function addHistogram (into: Histogram, from: Histogram): void {
  if (from.totalCount > 0) into.add(from)
}

export function summarize (h: Histogram): LatencySummary {
  const n = h.totalCount
  // Percentiles report a bucket's highest equivalent value, which can exceed the exact max: clamp for a sane table.
  const at = (p: number): number => n === 0 ? 0 : Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000
  return {
    min: n === 0 ? 0 : h.minNonZeroValue / 1000,
    avg: n === 0 ? 0 : h.mean / 1000,
    p50: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    p999: at(99.9),
    max: n === 0 ? 0 : h.maxValue / 1000,
    count: n
  }
}

export interface HistogramBucket {
  /** Upper bound of the bucket in ms. */
  upToMs: number
  count: number
}

/** Log-spaced buckets (4 per power of ten) for the HTML histogram. */
export function logBuckets (h: Histogram): HistogramBucket[] {
  if (h.totalCount === 0) return []
  const out: HistogramBucket[] = []
  const maxUs = h.maxValue
  let lowUs = 0
  let upUs = 100
  while (lowUs <= maxUs) {
    const count = countBetween(h, lowUs, upUs)
    out.push({ upToMs: upUs / 1000, count })
    lowUs = upUs
    upUs = Math.round(upUs * Math.pow(10, 0.25))
  }
  return out
}

function countBetween (h: Histogram, lowUs: number, highUs: number): number {
  // hdr-histogram-js has no public range count; the percentile rank of each bound gives it.
  return Math.round(h.totalCount * (rankBelow(h, highUs) - rankBelow(h, lowUs)))
}

function rankBelow (h: Histogram, us: number): number {
  // Binary search on percentiles: getValueAtPercentile is monotonic.
  if (us <= 0) return 0
  if (us >= h.maxValue) return 1
  let lo = 0
  let hi = 100
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2
    if (h.getValueAtPercentile(mid) <= us) lo = mid
    else hi = mid
  }
  return lo / 100
}
