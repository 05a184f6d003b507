// A load too large for one process (each virtual user holds a connection, so one process's open-files limit caps
// the users it can run) split over child processes: each part runs its share of the users (its own user numbers
// and source addresses) against the same target with the same plan, at the same time, and sends its outcome back
// serialized; the parent merges them exactly (merge.ts). Progress and window events of the parts are combined so
// an observer sees one run: progress summed once every part has reported, the window open from the first part's
// start to the last part's end (the parts settle on their own, within a tick of each other).
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { EngineOptions, LoadModel, Progress, RunOutcome } from './engine.js'
import type { ProfileSpec } from './load-profile.js'
import { deserializeOutcome, mergeOutcomes, type SerializedOutcome } from './merge.js'

/** What a part runs: the engine options that travel (no callbacks), its share already applied. */
export interface PartJob {
  origin: string
  model: LoadModel
  profile: ProfileSpec
  connections: number
  thinkMs: number
  timeoutMs: number
  correct: boolean
  settleMs?: number
  /** The parts' windows wait for the parent's `settled` messages too (EngineOptions.settled). */
  gated: boolean
  userOffset: number
}

export type ToPart =
  | { type: 'run', id: number, job: PartJob }
  | { type: 'abort', id: number }
  /** The parent's EngineOptions.settled, mirrored to the parts on every change (they can't call it). */
  | { type: 'settled', id: number, value: boolean }

export type FromPart =
  | { type: 'ready' }
  | { type: 'progress', id: number, progress: Progress }
  | { type: 'window', id: number, phase: 'start' | 'end' }
  | { type: 'done', id: number, outcome: SerializedOutcome }
  | { type: 'failed', id: number, message: string }

export interface SplitOptions {
  parts: number
  /** The scenario file each part loads its RequestPlan from (the parent's plan is made from the same file). */
  scenarioFile: string
  /** Source addresses as `--source-addresses` takes them (an IPv4 CIDR); user i of the whole load gets address i. */
  sourceAddresses?: string
}

/** Part `index` of `parts`' share of `n`: integers split floor/ceil so the shares add up to n; rates evenly. */
export function partOf (n: number, parts: number, index: number): number {
  if (!Number.isInteger(n)) return n / parts
  return Math.floor(n / parts) + (index < n % parts ? 1 : 0)
}

/** Part `index`'s job of a run with these engine options. */
export function partJob (opts: EngineOptions, parts: number, index: number): PartJob {
  const spec = opts.profile.spec
  const share = (n: number): number => partOf(n, parts, index)
  let userOffset = 0
  for (let j = 0; j < index; j++) userOffset += partOf(Math.max(spec.level, ...spec.stages.map(s => s.target)), parts, j)
  return {
    origin: opts.origin,
    model: opts.model,
    profile: { ...spec, level: share(spec.level), stages: spec.stages.map(s => ({ durationMs: s.durationMs, target: share(s.target) })) },
    connections: share(opts.connections),
    thinkMs: opts.thinkMs,
    timeoutMs: opts.timeoutMs,
    correct: opts.correct,
    ...(opts.settleMs === undefined ? {} : { settleMs: opts.settleMs }),
    gated: opts.settled !== undefined,
    userOffset: (opts.userOffset ?? 0) + userOffset
  }
}

/** Sums the parts' latest progress into one. */
export function sumProgress (ps: readonly Progress[]): Progress {
  const sum = (f: (p: Progress) => number): number => ps.reduce((n, p) => n + f(p), 0)
  return {
    elapsedMs: Math.max(...ps.map(p => p.elapsedMs)),
    totalMs: Math.max(...ps.map(p => p.totalMs)),
    measuring: ps.some(p => p.measuring),
    level: sum(p => p.level),
    lastSecond: { completed: sum(p => p.lastSecond.completed), errors: sum(p => p.lastSecond.errors) },
    open: sum(p => p.open),
    connects: sum(p => p.connects),
    inFlight: sum(p => p.inFlight)
  }
}

/** How often the parent asks EngineOptions.settled for the parts (the engine's own tick). */
const MIRROR_MS = 100

export class SplitLoad {
  readonly #children: ChildProcess[]
  #next = 0

  private constructor (children: ChildProcess[]) {
    this.#children = children
  }

  /** Forks the parts and resolves once each has loaded the plan. */
  static async start (o: SplitOptions): Promise<SplitLoad> {
    const script = fileURLToPath(new URL('./part-process.js', import.meta.url))
    const children = Array.from({ length: o.parts }, (_, index) => fork(script, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, SIPUP_LOAD_PART: JSON.stringify({ index, parts: o.parts, scenarioFile: o.scenarioFile, sourceAddresses: o.sourceAddresses ?? null }) }
    }))
    const split = new SplitLoad(children)
    try {
      await Promise.all(children.map(async (c, i) => await new Promise<void>((resolve, reject) => {
        const onMessage = (m: FromPart): void => { if (m.type === 'ready') { c.off('message', onMessage); resolve() } }
        c.on('message', onMessage)
        c.once('exit', code => { reject(new Error(`load part ${i + 1} of ${o.parts} exited (${String(code)}) before it was ready`)) })
      })))
    } catch (err) {
      await split.close()
      throw err
    }
    return split
  }

  get parts (): number {
    return this.#children.length
  }

  /** For BenchOptions.runLoad: one run, its load split over the parts. */
  readonly run = async (_plan: unknown, opts: EngineOptions): Promise<RunOutcome> => {
    const id = ++this.#next
    const n = this.#children.length
    const latest: Array<Progress | null> = this.#children.map(() => null)
    const fresh = this.#children.map(() => false)
    let starts = 0
    let ends = 0
    let open = false
    const closeWindow = (): void => { if (open) { open = false; opts.onWindow?.('end') } }
    const onAbort = (): void => { for (const c of this.#children) send(c, { type: 'abort', id }) }
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    // The parts ask their mirror of `settled` once a tick; the parent tells them each change within a tick.
    let settled: boolean | null = null
    const mirror = opts.settled === undefined
      ? null
      : setInterval(() => {
        const v = opts.settled?.() ?? true
        if (v === settled) return
        settled = v
        for (const c of this.#children) send(c, { type: 'settled', id, value: v })
      }, MIRROR_MS)
    try {
      const outcomes = await Promise.all(this.#children.map(async (c, i) => await new Promise<SerializedOutcome>((resolve, reject) => {
        const onExit = (code: number | null): void => { reject(new Error(`load part ${i + 1} of ${n} exited (${String(code)}) during a run`)) }
        const onMessage = (m: FromPart): void => {
          if (m.type === 'ready' || m.id !== id) return
          if (m.type === 'progress') {
            latest[i] = m.progress
            fresh[i] = true
            if (fresh.every(Boolean)) {
              fresh.fill(false)
              opts.onProgress?.(sumProgress(latest as Progress[]))
            }
          } else if (m.type === 'window') {
            if (m.phase === 'start' && starts++ === 0) { open = true; opts.onWindow?.('start') }
            if (m.phase === 'end' && ++ends === n) closeWindow()
          } else {
            c.off('message', onMessage)
            c.off('exit', onExit)
            if (m.type === 'done') resolve(m.outcome)
            else reject(new Error(`load part ${i + 1} of ${n}: ${m.message}`))
          }
        }
        c.on('message', onMessage)
        c.once('exit', onExit)
        send(c, { type: 'run', id, job: partJob(opts, n, i) })
      })))
      closeWindow()
      return mergeOutcomes(outcomes.map(deserializeOutcome))
    } finally {
      if (mirror !== null) clearInterval(mirror)
      opts.signal?.removeEventListener('abort', onAbort)
    }
  }

  async close (): Promise<void> {
    await Promise.all(this.#children.map(async c => {
      if (c.exitCode !== null || c.signalCode !== null) return
      const exited = new Promise<void>(resolve => { c.once('exit', () => { resolve() }) })
      c.kill('SIGTERM')
      const timer = setTimeout(() => { c.kill('SIGKILL') }, 3000)
      await exited
      clearTimeout(timer)
    }))
  }
}

function send (c: ChildProcess, m: ToPart): void {
  if (c.connected) c.send(m)
}
