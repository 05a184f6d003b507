// The load level over time: connections (closed model), requests/s (open model) or users (virtual users), as a
// piecewise-linear curve: the --ramp stages from 0 (k6-style: reach `target` linearly over `duration`), then the
// last level held. The first `warmupMs` are not measured; `--duration` is measured after both the ramp and the warm-up.

export interface RampStage {
  durationMs: number
  target: number
}

/** What a LoadProfile is made of: plain data, to build the same profile in another process (split.ts). */
export interface ProfileSpec {
  level: number
  warmupMs: number
  durationMs: number
  stages: RampStage[]
}

export class LoadProfile {
  readonly spec: ProfileSpec
  readonly warmupMs: number
  readonly totalMs: number
  readonly peak: number
  readonly #points: Array<[number, number]>

  constructor (level: number, warmupMs: number, durationMs: number, stages: RampStage[] = []) {
    this.spec = { level, warmupMs, durationMs, stages: stages.map(s => ({ ...s })) }
    this.warmupMs = warmupMs
    const points: Array<[number, number]> = [[0, stages.length === 0 ? level : 0]]
    let t = 0
    for (const s of stages) {
      t += s.durationMs
      points.push([t, s.target])
    }
    this.totalMs = Math.max(t, warmupMs) + durationMs
    points.push([this.totalMs, points[points.length - 1][1]])
    this.#points = points
    this.peak = Math.max(...points.map(p => p[1]))
  }

  /** Level at `t` ms after the start. */
  level (t: number): number {
    const p = this.#points
    if (t <= p[0][0]) return p[0][1]
    for (let i = 1; i < p.length; i++) {
      const [t1, v1] = p[i]
      if (t <= t1) {
        const [t0, v0] = p[i - 1]
        return t1 === t0 ? v1 : v0 + (v1 - v0) * (t - t0) / (t1 - t0)
      }
    }
    return p[p.length - 1][1]
  }
}

/** Parses `30s:500,1m:5000` (duration:target pairs). Throws a TypeError naming the bad stage. */
export function parseRamp (text: string, parseDuration: (v: string) => number | undefined): RampStage[] {
  return text.split(',').map(part => {
    const [d, target] = part.trim().split(':')
    const durationMs = parseDuration(d ?? '')
    const n = Number(target)
    if (durationMs === undefined || target === undefined || !Number.isFinite(n) || n < 0) {
      throw new TypeError(`stage '${part.trim()}'`)
    }
    return { durationMs, target: n }
  })
}
