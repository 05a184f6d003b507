// Runs a whole bench: one target, or two targets interleaved in rounds (A B A B ...) so that the noise of a shared
// machine hits both alike; assesses the thresholds.
import { compareResults, medianResult, type ComparisonRow } from './compare.js'
import { runLoad, type EngineOptions, type LoadModel, type Progress, type RunOutcome } from './engine.js'
import { LoadProfile, type RampStage } from './load-profile.js'
import type { RequestPlan } from './request-plan.js'
import { toResult, type TargetResult } from './result.js'
import { assess, type Threshold, type ThresholdCheck } from './thresholds.js'

export interface BenchOptions {
  /** One origin, or two with --compare (A first). */
  targets: string[]
  plan: RequestPlan
  model: LoadModel
  /** Connections (closed), requests/s (rate) or users (users). */
  level: number
  /** Pool size in the rate model. */
  connections: number
  thinkMs: number
  durationMs: number
  warmupMs: number
  ramp: RampStage[]
  timeoutMs: number
  /** Coordinated-omission correction: latency from the intended send time. */
  correct: boolean
  rounds: number
  thresholds: Threshold[]
  /** Users model: wait up to this long after the warm-up for every user's connection (engine.ts settleMs). */
  settleMs?: number
  /** Users model with settleMs: whether target `index` has settled (engine.ts settled), asked after the warm-up. */
  settled?: (index: number) => boolean
  localAddresses?: (i: number) => string | undefined
  onProgress?: (label: string, p: Progress) => void
  /** A target's measured window opens or closes (once per target and round; `index` into targets). */
  onWindow?: (phase: 'start' | 'end', index: number, round: number) => void
  signal?: AbortSignal
  /** Runs one target's round: the engine in this process, or a load split over processes (split.ts SplitLoad.run). */
  runLoad?: (plan: RequestPlan, opts: EngineOptions) => Promise<RunOutcome>
}

export interface TargetReport {
  target: string
  /** Median figures over the rounds. */
  result: TargetResult
  rounds: TargetResult[]
  checks: ThresholdCheck[]
  pass: boolean
}

export interface BenchReport {
  description: string
  model: LoadModel
  correct: boolean
  targets: TargetReport[]
  comparison: ComparisonRow[] | null
  pass: boolean
}

export async function runBench (o: BenchOptions): Promise<BenchReport> {
  const rounds: TargetResult[][] = o.targets.map(() => [])
  for (let round = 0; round < o.rounds; round++) {
    for (let i = 0; i < o.targets.length; i++) {
      if (o.signal?.aborted === true) break
      const target = o.targets[i]
      const label = o.targets.length === 1 && o.rounds === 1 ? target : `round ${round + 1}/${o.rounds} ${i === 0 ? 'A' : 'B'} ${target}`
      const run = await (o.runLoad ?? runLoad)(o.plan, {
        origin: target,
        model: o.model,
        profile: new LoadProfile(o.level, o.warmupMs, o.durationMs, o.ramp),
        connections: o.connections,
        thinkMs: o.thinkMs,
        timeoutMs: o.timeoutMs,
        correct: o.correct,
        settleMs: o.settleMs,
        ...(o.settled === undefined ? {} : { settled: () => o.settled?.(i) ?? true }),
        localAddresses: o.localAddresses,
        onProgress: o.onProgress === undefined ? undefined : p => o.onProgress?.(label, p),
        onWindow: o.onWindow === undefined ? undefined : phase => o.onWindow?.(phase, i, round),
        signal: o.signal
      })
      rounds[i].push(toResult(target, run))
    }
  }
  const targets = o.targets.map((target, i) => {
    const result = medianResult(rounds[i])
    const checks = assess(result, o.thresholds)
    return { target, result, rounds: rounds[i], checks, pass: checks.every(c => c.pass) }
  })
  return {
    description: describeLoad(o),
    model: o.model,
    correct: o.correct,
    targets,
    comparison: targets.length === 2 ? compareResults(targets[0].result, targets[1].result) : null,
    pass: targets.every(t => t.pass)
  }
}

export function describeLoad (o: Pick<BenchOptions, 'model' | 'level' | 'connections' | 'thinkMs' | 'durationMs' | 'warmupMs' | 'ramp' | 'rounds' | 'targets' | 'correct'>): string {
  const s = (ms: number): string => ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`
  const ramp = o.ramp.length === 0 ? '' : `, ramp ${o.ramp.map(r => `${s(r.durationMs)}->${r.target}`).join(' ')}`
  const load = o.model === 'closed'
    ? `closed model: ${o.level} connections, each sending as soon as its previous answer arrives`
    : o.model === 'rate'
      ? `open model: ${o.level} requests/s over up to ${o.connections} connections`
      : `virtual users: ${o.level} users, one keep-alive connection each, think time ${s(o.thinkMs)} (uniform 0.5-1.5x)`
  const rounds = o.rounds > 1 ? `, ${o.rounds} rounds${o.targets.length === 2 ? ' interleaved A B A B' : ''}` : ''
  const rampMs = o.ramp.reduce((n, r) => n + r.durationMs, 0)
  const measured = rampMs > o.warmupMs ? `${s(rampMs - o.warmupMs)} of ramp + ${s(o.durationMs)}` : s(o.durationMs)
  return `${load}${ramp}; ${measured} measured after ${s(o.warmupMs)} warm-up${rounds}`
}
