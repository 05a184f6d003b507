// A run split over processes (split.ts) comes back as one outcome: each part's Recorder travels as plain data
// (HdrHistograms in their compressed encoding, maps as entries) and the parts are added up exactly: histograms
// bucket by bucket, so a percentile of the merge is the percentile of every part's samples together, never an
// average of the parts' percentiles; counts are summed.
import type { LoadGeneratorFigures, RunConnections, RunOutcome, Settle } from './engine.js'
import { addHistogram, createHistogram, decodeHistogram, encodeHistogram, type EncodedHistogram } from './histogram.js'
import { Recorder, type AnswerClass, type OutcomeStats } from './recorder.js'
import type { CacheOutcome, ErrorKind } from './outcome.js'
import { emptyWindow } from './virtual-user.js'

export interface SerializedStats { count: number, ok: number, hits: number, latency: EncodedHistogram }

export interface SerializedRecorder {
  latency: EncodedHistogram
  service: EncodedHistogram
  statuses: Array<[number, number]>
  errors: Array<[ErrorKind, number]>
  cache: Array<[CacheOutcome, SerializedStats]>
  byName: Array<[string, SerializedStats]>
  byClass: Array<[AnswerClass, SerializedStats]>
  details: Array<[string, Array<[string, number]>]>
  timeline: Array<{ count: number, errors: number, latency: EncodedHistogram }>
  completed: number
  ok: number
  servedInWindow: number
  offered: number
}

export interface SerializedOutcome {
  recorder: SerializedRecorder
  measuredMs: number
  connections: RunConnections
  unfinished: number
  loadGenerator: LoadGeneratorFigures
}

export function serializeOutcome (run: RunOutcome): SerializedOutcome {
  const r = run.recorder
  const stats = <K>(m: Map<K, OutcomeStats>): Array<[K, SerializedStats]> =>
    [...m].map(([k, st]) => [k, { count: st.count, ok: st.ok, hits: st.hits, latency: encodeHistogram(st.latency) }])
  return {
    recorder: {
      latency: encodeHistogram(r.latency),
      service: encodeHistogram(r.service),
      statuses: [...r.statuses],
      errors: [...r.errors],
      cache: stats(r.cache),
      byName: stats(r.byName),
      byClass: stats(r.byClass),
      details: [...r.details].map(([k, d]) => [k, [...d]]),
      timeline: r.timeline.map(s => ({ count: s.count, errors: s.errors, latency: encodeHistogram(s.latency) })),
      completed: r.completed,
      ok: r.ok,
      servedInWindow: r.servedInWindow,
      offered: r.offered
    },
    measuredMs: run.measuredMs,
    connections: run.connections,
    unfinished: run.unfinished,
    loadGenerator: run.loadGenerator
  }
}

export function deserializeOutcome (s: SerializedOutcome): RunOutcome {
  const recorder = new Recorder(0, true)
  addSerialized(recorder, s.recorder)
  return { recorder, measuredMs: s.measuredMs, connections: s.connections, unfinished: s.unfinished, loadGenerator: s.loadGenerator }
}

/**
 * One outcome of parts that ran at the same time against the same target. Besides the recorders (exact):
 * - measuredMs: the parts' mean (each part's window lasts the planned duration; they open a few ms apart);
 * - connections: summed; minOpen and maxOpen are the sums of the parts' (a bound: the parts' minima need not fall in
 *   the same second); settle: the longest wait, the unconnected users summed, the gate timed out if any part's did;
 * - loadGenerator: the busiest part's CPU and the worst loop delay (each part is its own process: a saturated one
 *   limits the figures, whatever the other does), and the number of processes.
 */
export function mergeOutcomes (parts: readonly RunOutcome[]): RunOutcome {
  if (parts.length === 1) return parts[0]
  const recorder = new Recorder(0, true)
  for (const p of parts) addRecorder(recorder, p.recorder)
  const sum = (f: (c: RunConnections) => number): number => parts.reduce((n, p) => n + f(p.connections), 0)
  const window = emptyWindow()
  for (const p of parts) for (const k of Object.keys(window) as Array<keyof typeof window>) window[k] += p.connections.window[k]
  const settles = parts.flatMap(p => p.connections.settle === undefined ? [] : [p.connections.settle])
  const connections: RunConnections = {
    open: sum(c => c.open),
    connects: sum(c => c.connects),
    connectErrors: sum(c => c.connectErrors),
    minOpen: sum(c => c.minOpen),
    maxOpen: sum(c => c.maxOpen),
    users: sum(c => c.users),
    window,
    ...(settles.length === 0
      ? {}
      : { settle: mergeSettles(settles) })
  }
  return {
    recorder,
    measuredMs: parts.reduce((n, p) => n + p.measuredMs, 0) / parts.length,
    connections,
    unfinished: parts.reduce((n, p) => n + p.unfinished, 0),
    loadGenerator: {
      cpuPercent: Math.max(...parts.map(p => p.loadGenerator.cpuPercent)),
      eventLoopDelayP99Ms: Math.max(...parts.map(p => p.loadGenerator.eventLoopDelayP99Ms)),
      processes: parts.reduce((n, p) => n + (p.loadGenerator.processes ?? 1), 0)
    }
  }
}

/** Adds every sample `from` holds to `into`. */
export function addRecorder (into: Recorder, from: Recorder): void {
  addHistogram(into.latency, from.latency)
  addHistogram(into.service, from.service)
  addCounts(into.statuses, from.statuses)
  addCounts(into.errors, from.errors)
  addStats(into.cache, from.cache)
  addStats(into.byName, from.byName)
  addStats(into.byClass, from.byClass)
  for (const [name, d] of from.details) {
    let mine = into.details.get(name)
    if (mine === undefined) { mine = new Map(); into.details.set(name, mine) }
    addCounts(mine, d)
  }
  // Second k of each part's window: the parts' windows open within a settle tick of each other.
  from.timeline.forEach((s, i) => {
    for (let j = into.timeline.length; j <= i; j++) into.timeline.push({ count: 0, errors: 0, latency: createHistogram(2) })
    const t = into.timeline[i]
    t.count += s.count
    t.errors += s.errors
    addHistogram(t.latency, s.latency)
  })
  into.completed += from.completed
  into.ok += from.ok
  into.servedInWindow += from.servedInWindow
  into.offered += from.offered
}

function addSerialized (into: Recorder, s: SerializedRecorder): void {
  const from = new Recorder(0, true)
  from.latency.add(decodeHistogram(s.latency))
  from.service.add(decodeHistogram(s.service))
  for (const [k, n] of s.statuses) from.statuses.set(k, n)
  for (const [k, n] of s.errors) from.errors.set(k, n)
  const stats = <K>(m: Map<K, OutcomeStats>, list: Array<[K, SerializedStats]>): void => {
    for (const [k, st] of list) {
      const latency = createHistogram(2)
      addHistogram(latency, decodeHistogram(st.latency))
      m.set(k, { count: st.count, ok: st.ok, hits: st.hits, latency })
    }
  }
  stats(from.cache, s.cache)
  stats(from.byName, s.byName)
  stats(from.byClass, s.byClass)
  for (const [k, d] of s.details) from.details.set(k, new Map(d))
  for (const t of s.timeline) {
    const latency = createHistogram(2)
    addHistogram(latency, decodeHistogram(t.latency))
    from.timeline.push({ count: t.count, errors: t.errors, latency })
  }
  from.completed = s.completed
  from.ok = s.ok
  from.servedInWindow = s.servedInWindow
  from.offered = s.offered
  addRecorder(into, from)
}

function addCounts<K> (into: Map<K, number>, from: ReadonlyMap<K, number>): void {
  for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n)
}

function addStats<K> (into: Map<K, OutcomeStats>, from: ReadonlyMap<K, OutcomeStats>): void {
  for (const [k, st] of from) {
    let mine = into.get(k)
    if (mine === undefined) { mine = { count: 0, ok: 0, hits: 0, latency: createHistogram(2) }; into.set(k, mine) }
    mine.count += st.count
    mine.ok += st.ok
    mine.hits += st.hits
    addHistogram(mine.latency, st.latency)
  }
}

function mergeSettles (settles: readonly Settle[]): Settle {
  const gates = settles.flatMap(x => x.gate === undefined ? [] : [x.gate])
  return {
    waitedMs: Math.max(...settles.map(x => x.waitedMs)),
    unconnected: settles.reduce((n, x) => n + x.unconnected, 0),
    ...(gates.length === 0 ? {} : { gate: gates.includes('timed-out') ? 'timed-out' : 'settled' })
  }
}
