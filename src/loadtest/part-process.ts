// One part of a split load (split.ts), in its own process: loads the plan, then runs each job the parent sends and
// answers with the outcome serialized; progress and window events go to the parent as they happen.
import { runLoad } from './engine.js'
import { LoadProfile } from './load-profile.js'
import { RequestPlan } from './request-plan.js'
import { loadScenarioFile } from './scenario.js'
import { sourceAddresses } from './args.js'
import { serializeOutcome } from './merge.js'
import type { FromPart, ToPart } from './split.js'

interface PartSetup { index: number, parts: number, scenarioFile: string, sourceAddresses: string | null }

const setup = JSON.parse(process.env.SIPUP_LOAD_PART ?? 'null') as PartSetup | null
if (setup === null || typeof process.send !== 'function') {
  process.stderr.write('part-process: started without a parent (split.ts forks it)\n')
  process.exit(2)
}
const plan = RequestPlan.fromScenario(loadScenarioFile(setup.scenarioFile))
const addresses = setup.sourceAddresses === null
  ? undefined
  : sourceAddresses(setup.sourceAddresses, (o, e, g) => { throw new Error(`${o}: expected ${e}, got ${String(g)}`) })
const aborts = new Map<number, AbortController>()
/** Per run, the parent's latest `settled` (false until it says otherwise). */
const settled = new Map<number, boolean>()

const tell = (m: FromPart): void => { if (process.connected) process.send?.(m) }

process.on('message', (m: ToPart) => {
  if (m.type === 'abort') { aborts.get(m.id)?.abort(); return }
  if (m.type === 'settled') { if (aborts.has(m.id)) settled.set(m.id, m.value); return }
  const { id, job } = m
  const ac = new AbortController()
  aborts.set(id, ac)
  const p = job.profile
  runLoad(plan, {
    origin: job.origin,
    model: job.model,
    profile: new LoadProfile(p.level, p.warmupMs, p.durationMs, p.stages),
    connections: job.connections,
    thinkMs: job.thinkMs,
    timeoutMs: job.timeoutMs,
    correct: job.correct,
    settleMs: job.settleMs,
    ...(job.gated ? { settled: () => settled.get(id) === true } : {}),
    localAddresses: addresses,
    userOffset: job.userOffset,
    onProgress: progress => { tell({ type: 'progress', id, progress }) },
    onWindow: phase => { tell({ type: 'window', id, phase }) },
    signal: ac.signal
  }).then(run => { tell({ type: 'done', id, outcome: serializeOutcome(run) }) },
    (err: Error) => { tell({ type: 'failed', id, message: err.message }) })
    .finally(() => { aborts.delete(id); settled.delete(id) })
})
process.on('disconnect', () => { process.exit(0) })
tell({ type: 'ready' })
