// bench/capacity: the seed's claim ("500 -> 20,000 users, 200-500 ms, 99%+ success") as a reproducible experiment.
// The demo shop limited like php-fpm (20 children, 50 ms pages) direct, vs the sidecar with config/demo.yaml in
// front of it, at 500, 5,000 and 20,000 virtual users: one keep-alive connection each, a think time around 5 s
// between requests (see /work/shared/notes/capacity-model.md: users are not concurrent requests), a realistic mix
// (bench/scenarios/shop-mix.yaml). Rounds are interleaved (A B A B) and figures are medians.
// Usage: node dist/bench/capacity.js [--mix realistic|cached] [--steps 500,5000,20000] [--think 5s] [--arrive 30s]
//        [--duration 20s] [--rounds 2] [--settle 30s]   (--help lists every option with its default)
// --overload: one step (default 20,000 users, realistic mix) through two sidecars in front of the same shop, without
// origin protection (upstream.maxConcurrent 0) and with config/demo.yaml's (20 = the shop's children, lanes): the
// requests that reached the origin, the fast 503s that shed load, and what timed out. --only C or D runs one of them.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { spawnSync } from 'node:child_process'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { formatDuration } from '../src/config/units.js'
import { packageRoot } from '../src/paths.js'
import { sourceAddresses } from '../src/loadtest/args.js'
import { progressPrinter } from '../src/loadtest/progress.js'
import { RequestPlan } from '../src/loadtest/request-plan.js'
import { loadScenarioFile } from '../src/loadtest/scenario.js'
import { runBench, type TargetReport } from '../src/loadtest/run.js'
import { SplitLoad } from '../src/loadtest/split.js'
import type { Progress } from '../src/loadtest/engine.js'
import { DEFAULT_THRESHOLDS, describe } from '../src/loadtest/thresholds.js'
import { int, ms, padTable, pct, rate } from '../src/loadtest/format.js'
import { onLines, startProcess, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { benchArgs, usageError } from './lib/args.js'
import { WindowConnections, reportServerConnections } from './lib/window-connections.js'
import { procCounters } from './lib/listen-queue.js'
import { procTreeCpuSeconds, relayWorkerReports, toPrimary } from './lib/worker-reports.js'
import { diagProcessCpu, diagSink, profileFor, watchStalls } from './lib/stall-diag.js'
import { BacklogGate, SETTLED_SECONDS } from './lib/backlog-gate.js'

const SELF = fileURLToPath(import.meta.url)
const REEXEC_FLAG = 'SIPUP_CAPACITY_ULIMIT_RAISED'
/** fds a process needs besides one per user: upstream pool, Redis, stdio, the event loop's own. */
const FD_RESERVE = 300
/** Where the bench's virtual users come from: distinct loopback addresses, each its own client IP. */
const SOURCE_ADDRESSES = '127.1.0.0/16'

/** Counters the capacity run reads back (once a second, `stats <json>`: cumulative values by metric and labels). */
const STAT_METRICS = ['sipup_origin_inflight', 'sipup_origin_queue_depth', 'sipup_cache_context_lookups_total', 'sipup_cache_context_fetch_seconds', 'sipup_origin_shed_total',
  'sipup_origin_shed_cause_total', 'sipup_origin_queue_wait_seconds', 'sipup_cache_lookups_total', 'sipup_cache_stale_served_total']

type Stats = Record<string, number>
/** Seconds before each window the timeline also shows: the warm-up's origin backlog, when it is still draining as
 * the window opens, is what a stall in the first seconds overflows (issue 15's misses). */
const TIMELINE_BEFORE = 5
/** Of STAT_METRICS, the gauges (shown per second, not summed). */
const STAT_GAUGES = new Set(['sipup_origin_inflight', 'sipup_origin_queue_depth'])

const MIXES: Record<string, { file: string, summary: string }> = {
  realistic: { file: 'shop-mix.yaml', summary: 'product 40, catalog 30, api 5; 20% of users log in first, and they also see dashboard 15, orders 5' },
  cached: { file: 'shop-cached.yaml', summary: 'anonymous product 55, catalog 40, stylesheet 5: the cacheable share alone' }
}

const values = benchArgs({
  name: 'bench/capacity',
  summary: `The demo shop limited like php-fpm direct (A) vs the sidecar with config/demo.yaml in front of it (B), at each
--steps count of virtual users (one keep-alive connection each, a think time between requests), rounds interleaved,
medians. --overload: one step through two sidecars, without (C) and with (D) origin protection.`,
  options: {
    steps: { type: 'string', default: '500,5000,20000', placeholder: '<n,n,...>', description: 'virtual users per step; --overload runs the first (20000 when not given)' },
    think: { type: 'duration', default: '5s', description: 'mean think time between a user\'s requests (uniform 0.5-1.5x)' },
    duration: { type: 'duration', default: '20s', description: 'measured time per step and target' },
    arrive: { type: 'duration', default: '30s', description: 'users arrive over this time (a linear ramp), then one think time settles; neither is measured' },
    mix: { type: 'string', default: 'realistic', choices: ['realistic', 'cached'], description: 'request mix (bench/scenarios/shop-mix.yaml or shop-cached.yaml)' },
    rounds: { type: 'int', default: 2, description: 'rounds, interleaved A B A B; figures are medians' },
    'page-ms': { type: 'int', default: 50, description: 'ms the shop takes per page' },
    children: { type: 'int', default: 20, description: 'the shop\'s PHP children (pm.max_children)' },
    timeout: { type: 'duration', default: '10s', description: 'client timeout per request (connect, headers, body)' },
    settle: { type: 'duration', default: '30s', description: 'after the settling think time, wait up to this long for every user to hold its connection before measuring (0: measure on the clock)' },
    'measure-backlog': { type: 'boolean', description: 'with --overload: open the window on the clock (after --settle\'s connection wait) even while the origin still works off the arrival\'s backlog; default: the window waits, within --settle, until it has drained (bench/lib/backlog-gate.ts)' },
    overload: { type: 'boolean', description: 'the overload step: C (upstream.maxConcurrent 0) vs D (config/demo.yaml\'s limit)' },
    only: { type: 'string', choices: ['C', 'D'], description: 'with --overload: run only C or only D' },
    'max-concurrent': { type: 'string', placeholder: '<n|auto>', description: 'D\'s upstream.maxConcurrent (default: config/demo.yaml\'s)' },
    backlog: { type: 'int', description: 'the sidecars\' server.backlog (default: config/demo.yaml\'s)' },
    generators: { type: 'int', max: 64, description: 'load generator processes, each running its share of the users (default: as many as the open-files limit needs, users / (limit - 300) rounded up); 1: in the bench process, users capped at its limit' },
    workers: { type: 'int', default: 2, max: 256, description: 'each sidecar\'s server.workers (node:cluster, as `sipup-sidecar start`): each worker holds its share of the connections under its own open-files limit, and upstream.maxConcurrent is split across them; 1: one process, built in-process (the runs before issue 15\'s fd finding)' },
    role: { type: 'string', choices: ['shop', 'sidecar'], internal: true, description: 'run as one of the bench\'s processes' },
    upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the sidecar\'s origin' },
    port: { type: 'int', min: 0, default: 0, internal: true, description: 'port to listen on' }
  }
})
const maxConcurrent = values['max-concurrent']
if (maxConcurrent !== undefined && maxConcurrent !== 'auto' && !/^\d+$/.test(maxConcurrent)) {
  usageError('bench/capacity', `--max-concurrent: expected an integer >= 0 or auto, got '${maxConcurrent}'`)
}
if (values.only !== undefined && !values.overload) usageError('bench/capacity', '--only: expected with --overload (it picks C or D of the overload step)')

if (values.role === 'shop') {
  const { startLegacyApp } = await import('../examples/legacy-app/shop.js')
  const pageMs = values['page-ms']
  const app = await startLegacyApp({ port: values.port, maxChildren: values.children, minDelayMs: pageMs, maxDelayMs: pageMs })
  process.stdout.write(`ready ${app.url}\n`)
  // Once a second: requests running in the "PHP children", waiting for one, and received so far.
  setInterval(() => { process.stdout.write(`shop ${app.stats.inFlight} ${app.stats.queued} ${app.stats.requests}\n`) }, 1000).unref()
} else if (values.role === 'sidecar') {
  await sidecarRole()
} else if (values.overload) {
  await overload()
} else {
  await main()
}

/** The sidecar with config/demo.yaml and sidecarOverrides: with --workers 1 built in this process (as before), else
 * through `sipup-sidecar start`'s cluster path (start-workers.ts: this process is the primary, node:cluster forks
 * this script again as each worker), so each worker holds its share of the users' connections under its own
 * open-files limit, and upstream.maxConcurrent is split across them as in production. */
async function sidecarRole (): Promise<void> {
  const { loadConfig } = await import('../src/sidecar-config.js')
  const overrides = sidecarOverrides(values.upstream ?? '', values.port)
  overrides.server = { ...(overrides.server as object), workers: values.workers, ...(values.backlog === undefined ? {} : { backlog: values.backlog }) }
  if (values['max-concurrent'] !== undefined) {
    const mc = values['max-concurrent']
    overrides.upstream = { ...(overrides.upstream as object), maxConcurrent: mc === 'auto' ? mc : Number(mc) }
  }
  const { config } = loadConfig({ file: join(packageRoot, 'config', 'demo.yaml'), env: {}, overrides })
  const ready = (): void => { process.stdout.write(`ready http://127.0.0.1:${config.server.port}\n`) }
  if (values.workers === 1) {
    const { buildApp } = await import('../src/app.js')
    const { pino } = await import('pino')
    const app = await buildApp(config, { logger: pino({ level: 'warn' }) })
    await app.listen({ host: '127.0.0.1', port: config.server.port, backlog: config.server.backlog })
    ready()
    reportLoopDelay(stdoutLine)
    reportCounters(app.sidecar.metrics, stdoutLine)
    reportServerConnections(app.server, stdoutLine)
    return
  }
  const cluster = (await import('node:cluster')).default
  if (cluster.isPrimary) {
    const { startWorkers } = await import('../src/cluster/start-workers.js')
    relayWorkerReports()
    await startWorkers(config)
    ready()
    return
  }
  // As `sipup-sidecar start` does in a worker (src/cli/commands/start.ts).
  process.on('SIGHUP', () => {})
  await profileFor()
  const { runSidecar } = await import('../src/run.js')
  const { app } = await runSidecar(config)
  reportLoopDelay(toPrimary)
  // SIPUP_BENCH_DIAG: this worker's stalls, long GCs and per-second guard figures, on its own clock (stall-diag.ts).
  const diag = diagSink('worker')
  let guard = ''
  if (diag !== null) watchStalls(diag, () => guard)
  reportCounters(app.sidecar.metrics, diag === null
    ? toPrimary
    : line => {
      toPrimary(line)
      if (line.startsWith('stats ')) guard = guardFigures(JSON.parse(line.slice(6)) as Stats)
    })
  reportServerConnections(app.server, toPrimary)
}

/** A worker's guard in one word: `inflight/queued high,normal,low shed=<total>`. */
function guardFigures (v: Stats): string {
  const q = (lane: string): number => v[`sipup_origin_queue_depth{lane=${lane}}`] ?? 0
  let shed = 0
  for (const [k, n] of Object.entries(v)) if (k.startsWith('sipup_origin_shed_total')) shed += n
  return `guard=${v['sipup_origin_inflight{}'] ?? 0}/${q('high')},${q('normal')},${q('low')} shed=${shed}`
}

function stdoutLine (line: string): void {
  process.stdout.write(line + '\n')
}

/** What the capacity run changes in config/demo.yaml, printed with the results. */
function sidecarOverrides (upstream: string, port: number): Record<string, unknown> {
  return {
    server: {
      host: '127.0.0.1',
      port,
      // Users think 2.5-7.5 s between pages; the default 5 s would close idle users' connections mid-thought.
      keepAliveTimeout: '75s',
      maxConnections: 0
    },
    upstream: { url: upstream },
    log: { level: 'warn', requests: false }
  }
}

/** `500,5000,20000` -> users per step; anything else is a usage error naming --steps. */
function stepsOf (text: string): number[] {
  const steps = text.split(',').map(v => v.trim() === '' ? Number.NaN : Number(v))
  if (steps.some(n => !Number.isInteger(n) || n < 1)) usageError('bench/capacity', `--steps: expected users per step like 500,5000,20000, got '${text}'`)
  return steps
}

async function main (): Promise<void> {
  const { think, duration: durationMs, arrive: arriveMs, timeout: timeoutMs, rounds } = values
  const requested = stepsOf(values.steps)

  const fd = raiseFdLimit(Math.max(...requested) + FD_RESERVE)
  const gen = generatorsFor(Math.max(...requested), fd)
  const maxUsers = gen.maxUsers
  const steps = requested.map(n => Math.min(n, maxUsers))

  const { file, summary } = MIXES[values.mix]
  const mix = join(packageRoot, 'bench', 'scenarios', file)
  const plan = RequestPlan.fromScenario(loadScenarioFile(mix))
  const procs: Started[] = []
  let stopping = false
  let split: SplitLoad | null = null
  try {
    split = gen.parts > 1 ? await SplitLoad.start({ parts: gen.parts, scenarioFile: mix, sourceAddresses: SOURCE_ADDRESSES }) : null
    const shopPort = await freePort()
    const shopUrl = `http://127.0.0.1:${shopPort}`
    procs.push(await startProcess(SELF, ['--role', 'shop', '--port', String(shopPort), '--page-ms', String(values['page-ms']), '--children', String(values.children)], /ready http/))
    // B's own shop: the backlog A leaves in its shop (requests whose clients timed out, still worked off FIFO as
    // php-fpm does) must not slow B down.
    const shopBPort = await freePort()
    procs.push(await startProcess(SELF, ['--role', 'shop', '--port', String(shopBPort), '--page-ms', String(values['page-ms']), '--children', String(values.children)], /ready http/))
    const sidecarPort = await freePort()
    const sidecarUrl = `http://127.0.0.1:${sidecarPort}`
    const sidecar = await startProcess(SELF, ['--role', 'sidecar', '--port', String(sidecarPort), '--upstream', `http://127.0.0.1:${shopBPort}`,
      '--workers', String(values.workers)], /ready http/)
    procs.push(sidecar)
    for (const [name, p] of [['shop', procs[0]], ['shop B', procs[1]], ['sidecar', sidecar]] as const) {
      let tail = ''
      p.child.stderr?.on('data', (c: Buffer) => { tail = (tail + c.toString()).slice(-4000) })
      p.child.once('exit', (code, signal) => {
        if (!stopping) process.stderr.write(`\n!! the ${name} process exited (${String(code ?? signal)}) during the run; its last output:\n${tail}\n`)
      })
    }

    const say = (line = ''): void => { process.stdout.write(line + '\n') }
    say('bench/capacity: the demo shop like php-fpm direct (A) vs the sidecar with config/demo.yaml in front of another one (B)')
    say(`  origin: ${values.children} children (pm.max_children), ${values['page-ms']} ms per page: at most ${int(values.children * 1000 / values['page-ms'])} pages/s`)
    say(`  load: virtual users, one keep-alive connection each, think time ${formatDuration(think)} (uniform 0.5-1.5x), mix ${mix.slice(packageRoot.length + 1)}`)
    say(`        (${summary})`)
    say(`  each step: users arrive over ${formatDuration(arriveMs)}, then ${formatDuration(think)} to settle (not measured; the cache fills; then up to ${formatDuration(values.settle)} until every user holds its connection), ${formatDuration(durationMs)} measured, ${rounds === 1 ? '1 round (A then B)' : `${rounds} rounds interleaved A B A B, medians`}`)
    say(`  latency from the intended send time; thresholds: ${DEFAULT_THRESHOLDS.map(describe).join(', ')}`)
    say(`  sidecar overrides over config/demo.yaml: server.keepAliveTimeout 75s (default 5s would drop thinking users), server.maxConnections 0 (no cap), log warn`)
    say(`  rate limits: left as config/demo.yaml sets them; users come from distinct loopback addresses (127.1.0.0/16), each its own client IP`)
    say(processesLine(gen.parts))
    if (steps.some((s, i) => s !== requested[i])) {
      say(`  NOTE: open files are limited to ${int(fd.soft)} per process here (hard limit ${int(fd.hard)}, ulimit -n cannot go higher without CAP_SYS_RESOURCE),`)
      say(`        so the ${int(Math.max(...requested))}-user step runs ${int(maxUsers)} users (${gen.parts} load generator process(es), one fd per user each)`)
    }
    for (const l of fdNotes(Math.max(...steps), fd)) say(l)
    say()

    const rows: string[][] = [['step', 'target', 'users held', 'offered/s', 'served/s', 'success', 'p50 ms', 'p95 ms', 'p99 ms', 'hit', 'gen CPU / lag p99 ms', 'sidecar CPU', 'verdict']]
    const results: Array<{ users: number, a: TargetReport, b: TargetReport }> = []
    const notes: string[] = []
    const details: string[] = []
    const progress = process.stderr.isTTY ? progressPrinter(process.stderr) : null
    for (const users of steps) {
      // The sidecar's CPU while B is being measured, sampled at each progress tick (once a second).
      const cpu = { busy: 0, wall: 0, last: procTreeCpuSeconds(sidecar.child.pid), at: performance.now(), inB: false }
      const counters = countersOf(sidecar, () => cpu.inB)
      const churn = new WindowConnections([shopUrl, sidecarUrl], [shopPort, sidecarPort], [null, sidecar])
      const onProgress = (label: string, p: Progress): void => {
        churn.progress(label, p)
        const now = performance.now()
        const c = procTreeCpuSeconds(sidecar.child.pid)
        if (cpu.inB) { cpu.busy += c - cpu.last; cpu.wall += (now - cpu.at) / 1000 }
        cpu.inB = p.measuring && label.includes(' B ')
        cpu.last = c
        cpu.at = now
        progress?.update(`${int(users)} users ${label}`, p)
      }
      const report = await runBench({
        targets: [shopUrl, sidecarUrl],
        plan,
        model: 'users',
        level: users,
        connections: users,
        thinkMs: think,
        durationMs,
        // Users arrive over --arrive (a crowd, not a single instant), then one think time settles the mix.
        warmupMs: arriveMs + think,
        ramp: [{ durationMs: arriveMs, target: users }],
        timeoutMs,
        correct: true,
        settleMs: values.settle,
        rounds,
        thresholds: [...DEFAULT_THRESHOLDS],
        localAddresses: sourceAddresses(SOURCE_ADDRESSES, (o, e, g) => { throw new Error(`${o}: ${e}, ${String(g)}`) }),
        runLoad: split?.run,
        onProgress,
        onWindow: churn.onWindow
      })
      progress?.done()
      const sidecarCpu = cpu.wall === 0 ? 0 : 100 * cpu.busy / cpu.wall
      const [a, b] = report.targets
      results.push({ users, a, b })
      for (const [name, t] of [['A direct', a], ['B sidecar', b]] as const) {
        const r = t.result
        rows.push([int(users), name, `${int(r.connections.minOpen)}-${int(r.connections.maxOpen)}`, rate(r.offeredRps), rate(r.rps), pct(r.successRate),
          ms(r.latency.p50), ms(r.latency.p95), ms(r.latency.p99), pct(r.hitRatio, 1),
          `${r.loadGenerator.cpuPercent.toFixed(0)}% / ${ms(r.loadGenerator.eventLoopDelayP99Ms)}`,
          name.startsWith('B') ? `${sidecarCpu.toFixed(0)}%` : '-', t.pass ? 'PASS' : `FAIL (${t.checks.filter(c => !c.pass).map(c => c.text).join(', ')})`])
      }
      const fromOrigin = b.result.rps * (1 - b.result.hitRatio)
      notes.push(`  ${int(users)} users, B: ${rate(fromOrigin)} of the ${rate(b.result.rps)} answers/s were not cache hits (the origin serves at most ` +
        `${int(values.children * 1000 / values['page-ms'])}/s; requests that timed out waiting for it count against success)`)
      details.push(`  B at ${int(users)} users:`, ...breakdown(b), '    answers/s by status and Cache-Status:', ...detailLines(b).map(l => `  ${l}`),
        '    the sidecar\'s counters per second while B was measured:', ...counterLines(counters).map(l => `  ${l}`),
        ...(await churn.lines(0, `A at ${int(users)} users`, a.result, users / (arriveMs / 1000))).map(l => `  ${l}`),
        ...(await churn.lines(1, `B at ${int(users)} users`, b.result, users / (arriveMs / 1000))).map(l => `  ${l}`))
      process.stderr.write(`  step ${int(users)} users done: A ${a.pass ? 'PASS' : 'FAIL'}, B ${b.pass ? 'PASS' : 'FAIL'}\n`)
    }
    say(padTable(rows, c => c >= 2 && c <= 11).join('\n'))
    say()
    for (const n of notes) say(n)
    for (const d of details) say(d)
    const largest = (pick: (x: typeof results[number]) => TargetReport): string => {
      const passing = results.filter(x => pick(x).pass).map(x => x.users)
      return passing.length === 0 ? `none of the steps (fails already at ${int(steps[0])} users)` : `${int(Math.max(...passing))} users`
    }
    say(`largest step passing the thresholds: A (shop direct): ${largest(x => x.a)}; B (through the sidecar): ${largest(x => x.b)}`)
    const lg = Math.max(...results.flatMap(x => [x.a.result.loadGenerator.cpuPercent, x.b.result.loadGenerator.cpuPercent]))
    if (lg > 85) say(`load generator: up to ${lg.toFixed(0)}% of one core; where it is that busy it, not the target, limits the figures`)
    const top = results[results.length - 1]
    const passA = results.filter(x => x.a.pass).map(x => x.users)
    const passB = results.filter(x => x.b.pass).map(x => x.users)
    const usersA = passA.length === 0 ? 0 : Math.max(...passA)
    const usersB = passB.length === 0 ? 0 : Math.max(...passB)
    const usersRatio = usersA === 0
      ? (usersB === 0 ? 'neither passes' : `>= ${(usersB / steps[0]).toFixed(1)}x the users (the shop fails at ${int(steps[0])})`)
      : `${(usersB / usersA).toFixed(1)}x the users`
    say(`headline: within p95 < 500 ms and success >= 99% the sidecar holds ${int(usersB)} users, the shop alone ${int(usersA)}: ${usersRatio}; ` +
      `at ${int(top.users)} users p95 ${ms(top.b.result.latency.p95)} ms vs ${ms(top.a.result.latency.p95)} ms, success ${pct(top.b.result.successRate)} vs ${pct(top.a.result.successRate)}, ` +
      `served ${rate(top.b.result.rps)} vs ${rate(top.a.result.rps)} req/s (${(top.b.result.rps / Math.max(top.a.result.rps, 1e-9)).toFixed(2)}x)`)
  } finally {
    stopping = true
    await Promise.all([...procs.map(async p => { await p.stop() }), split?.close()])
  }
}

function breakdown (t: TargetReport): string[] {
  const rows = [['    request', 'count', 'success', 'hit', 'p50 ms', 'p95 ms', 'p99 ms']]
  for (const [name, g] of Object.entries(t.result.byRequest)) {
    rows.push([`    ${name}`, int(g.count), pct(g.successRate), pct(g.hitRatio, 1), ms(g.latency.p50), ms(g.latency.p95), ms(g.latency.p99)])
  }
  const cache = Object.entries(t.result.cache).map(([k, g]) => `${k} ${pct(g?.share ?? 0, 1)}`).join(', ')
  return [...padTable(rows), `    cache outcomes: ${cache}`]
}

/** Load generator processes for `users` under the open-files limit (--generators, or as many as it takes), and the
 * most users they hold. */
function generatorsFor (users: number, fd: { soft: number }): { parts: number, maxUsers: number } {
  const perProcess = Math.max(1, fd.soft - FD_RESERVE)
  const parts = values.generators ?? Math.max(1, Math.ceil(users / perProcess))
  return { parts, maxUsers: Number.isFinite(perProcess) ? parts * perProcess : users }
}

function processesLine (generators: number): string {
  const sidecar = values.workers === 1
    ? 'one process (--workers 1)'
    : `a primary and ${values.workers} workers (server.workers ${values.workers}, node:cluster as sipup-sidecar start: ` +
      'each its share of the connections, upstream.maxConcurrent split across them)'
  const load = generators === 1 ? 'in the bench process' : `${generators} processes, each its share of the users, results merged exactly`
  return `  processes: each sidecar ${sidecar}; load generator ${load}`
}

/** Where one sidecar process would hold more connections than its open-files limit allows. */
function fdNotes (users: number, fd: { soft: number }): string[] {
  const perWorker = Math.ceil(users / values.workers)
  if (perWorker + FD_RESERVE <= fd.soft) return []
  return [`  NOTE: each sidecar ${values.workers === 1 ? 'process' : 'worker'} holds ~${int(perWorker)} connections against its open-files limit of ${int(fd.soft)}: ` +
    'at the limit accept() fails with EMFILE and new connections wait in the listen queue (raise --workers)']
}

/** Raises the soft fd limit by re-executing under `ulimit -n` when it is too low; returns the limits in force. */
function raiseFdLimit (needed: number): { soft: number, hard: number } {
  const limits = readFileSync('/proc/self/limits', 'utf8')
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(limits)
  const soft = m === null || m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1])
  const hard = m === null || m[2] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[2])
  if (soft >= needed || process.env[REEXEC_FLAG] === '1') return { soft, hard }
  const target = Math.min(needed, hard)
  if (target <= soft) return { soft, hard }
  const cmd = `ulimit -n ${target} && exec "${process.execPath}" "${SELF}" ${process.argv.slice(2).map(a => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}`
  const r = spawnSync('sh', ['-c', cmd], { stdio: 'inherit', env: { ...process.env, [REEXEC_FLAG]: '1' } })
  process.exit(r.status ?? 1)
}

/** The overload step: the realistic mix at 20,000 users through the sidecar without and with origin protection. */
async function overload (): Promise<void> {
  const { think, duration: durationMs, arrive: arriveMs, timeout: timeoutMs, rounds } = values
  // --steps' default is for main(): without --steps the overload step is the 20,000 users of issue 15.
  const requested = values.steps === '500,5000,20000' ? 20_000 : stepsOf(values.steps)[0]
  const fd = raiseFdLimit(requested + FD_RESERVE)
  const gen = generatorsFor(requested, fd)
  const users = Math.min(requested, gen.maxUsers)
  const { file, summary } = MIXES[values.mix]
  const mix = join(packageRoot, 'bench', 'scenarios', file)
  const plan = RequestPlan.fromScenario(loadScenarioFile(mix))
  const procs: Started[] = []
  let split: SplitLoad | null = null
  try {
    split = gen.parts > 1 ? await SplitLoad.start({ parts: gen.parts, scenarioFile: mix, sourceAddresses: SOURCE_ADDRESSES }) : null
    const shopPort = await freePort()
    const shopUrl = `http://127.0.0.1:${shopPort}`
    procs.push(await startProcess(SELF, ['--role', 'shop', '--port', String(shopPort), '--page-ms', String(values['page-ms']), '--children', String(values.children)], /ready http/))
    const urls: string[] = []
    const names: string[] = []
    const sidecars: Started[] = []
    const shops: Started[] = []
    for (const [name, mc] of [['C without', '0'], ['D with', values['max-concurrent'] ?? '']] as const) {
      if (values.only !== undefined && !name.startsWith(values.only)) continue
      // One shop per sidecar: a backlog left in one must not slow the other.
      const shopPort = name.startsWith('C') ? Number(new URL(shopUrl).port) : await freePort()
      if (!name.startsWith('C')) {
        procs.push(await startProcess(SELF, ['--role', 'shop', '--port', String(shopPort), '--page-ms', String(values['page-ms']), '--children', String(values.children)], /ready http/))
      }
      shops.push(name.startsWith('C') ? procs[0] : procs[procs.length - 1])
      const port = await freePort()
      urls.push(`http://127.0.0.1:${port}`)
      names.push(name)
      const sc = await startProcess(SELF, ['--role', 'sidecar', '--port', String(port), '--upstream', `http://127.0.0.1:${shopPort}`, '--workers', String(values.workers),
        ...(mc === '' ? [] : ['--max-concurrent', mc]), ...(values.backlog === undefined ? [] : ['--backlog', String(values.backlog)])], /ready http/)
      procs.push(sc)
      sidecars.push(sc)
    }
    // Each sidecar's CPU while its own target is measured, sampled at each progress tick (once a second).
    const cpu = sidecars.map(sc => ({ pid: sc.child.pid, busy: 0, wall: 0, last: procTreeCpuSeconds(sc.child.pid), at: performance.now(), on: false }))
    const loop = sidecars.map((sc, i) => loopDelayOf(sc, () => cpu[i].on))
    const counters = sidecars.map((sc, i) => countersOf(sc, () => cpu[i].on))
    const timelines = sidecars.map((sc, i) => guardTimeline(sc, shops[i], () => cpu[i].on))
    const churn = new WindowConnections(urls, urls.map(u => Number(new URL(u).port)), sidecars)
    const diag = diagSink('bench')
    if (diag !== null) {
      // The shops' and sidecars' report lines on the bench's clock, beside the workers' own (stall-diag.ts).
      const tee = (p: Started, tag: string): void => {
        onLines(p, line => {
          if (line.startsWith('shop ') || line.startsWith('lag ') || line.startsWith('conn ')) diag(`${tag} ${line}`)
          else if (line.startsWith('stats ')) diag(`${tag} ${guardFigures(JSON.parse(line.slice(6)) as Stats)}`)
        })
      }
      sidecars.forEach((sc, i) => { tee(sc, names[i][0]); tee(shops[i], `${names[i][0]}-shop`) })
      diagProcessCpu(diag)
    }
    let wasMeasuring = false
    // The kernel's accept-queue overflows while each target is measured (machine-wide: others' runs count too).
    const drops = sidecars.map(() => 0)
    let lastDrops = listenOverflows()
    const onProgress = (label: string, p: Progress): void => {
      churn.progress(label, p)
      if (diag !== null && p.measuring !== wasMeasuring) diag(`window ${p.measuring ? 'measuring' : 'done'} ${label}`)
      wasMeasuring = p.measuring
      const now = performance.now()
      const d = listenOverflows()
      cpu.forEach((c, i) => { if (c.on) drops[i] += d - lastDrops })
      lastDrops = d
      cpu.forEach((c, i) => {
        const v = procTreeCpuSeconds(c.pid)
        if (c.on) { c.busy += v - c.last; c.wall += (now - c.at) / 1000 }
        c.on = p.measuring && (urls.length === 1 || label.includes(i === 0 ? ' A ' : ' B '))
        c.last = v
        c.at = now
      })
      progress?.update(`${int(users)} users ${label}`, p)
    }
    const progress = process.stderr.isTTY ? progressPrinter(process.stderr) : null
    const say = (line = ''): void => { process.stdout.write(line + '\n') }
    const { loadConfig } = await import('../src/sidecar-config.js')
    const demoLimit = loadConfig({ file: join(packageRoot, 'config', 'demo.yaml'), env: {}, overrides: {} }).config.upstream.maxConcurrent
    const guardLimit = Number(values['max-concurrent'] ?? demoLimit)
    // D's queue counts as drained at one round of its slots (auto: as many as the shop has children).
    const gates = values['measure-backlog']
      ? null
      : sidecars.map((sc, i) => new BacklogGate(sc, shops[i], { queued: names[i].startsWith('C') ? 0 : Number.isFinite(guardLimit) ? guardLimit : values.children, waiting: values.children }))
    const limit = values['max-concurrent'] ?? `config/demo.yaml's (${String(demoLimit)}, lanes)`
    say('bench/capacity --overload: the sidecar with config/demo.yaml in front of the shop, without origin protection (C: upstream.maxConcurrent 0)')
    say(`  vs with it (D: maxConcurrent ${limit}); origin ${values.children} children x ${values['page-ms']} ms = at most ${int(values.children * 1000 / values['page-ms'])} pages/s`)
    say(`  ${int(users)} users${users < requested ? ` (fd limit ${int(fd.soft)})` : ''}, think ${formatDuration(think)}, mix ${file} (${summary})`)
    say(`  users arrive over ${formatDuration(arriveMs)}, ${formatDuration(think)} to settle (then up to ${formatDuration(values.settle)} until every user holds its connection), ${formatDuration(durationMs)} measured, ${rounds} round(s); client timeout ${formatDuration(timeoutMs)}`)
    say(gates === null
      ? '  the window opens on the clock, while the origin may still work off the arrival\'s backlog (--measure-backlog)'
      : `  the window opens once the arrival's backlog at the origin has drained (${SETTLED_SECONDS} s in a row with at most ${values.children} waiting in the shop and, for D, one round of slots queued in the guard), within --settle`)
    say(processesLine(gen.parts))
    for (const l of fdNotes(users, fd)) say(l)
    const report = await runBench({
      targets: urls,
      plan,
      model: 'users',
      level: users,
      connections: users,
      thinkMs: think,
      durationMs,
      warmupMs: arriveMs + think,
      ramp: [{ durationMs: arriveMs, target: users }],
      timeoutMs,
      correct: true,
      settleMs: values.settle,
      ...(gates === null ? {} : { settled: (i: number) => gates[i].settled() }),
      rounds,
      thresholds: [...DEFAULT_THRESHOLDS],
      localAddresses: sourceAddresses(SOURCE_ADDRESSES, (o, e, g) => { throw new Error(`${o}: ${e}, ${String(g)}`) }),
      runLoad: split?.run,
      onProgress,
      onWindow: (phase, i, round) => { diag?.(`window ${phase} target ${i} round ${round}`); churn.onWindow(phase, i) }
    })
    progress?.done()
    const rows = [['target', 'users held', 'offered/s', 'served/s', 'success', 'p50', 'p95', 'p99', 'reached origin', 'origin p50', 'p95', 'p99', 'fast 503s', '503 p50', '503 p99', 'from cache', 'no answer', 'gen CPU / lag p99', 'sidecar CPU / lag p99 (max)', 'SYNs dropped']]
    // The headline row is the median-throughput round with medians for success and the overall latencies; its
    // per-class figures (origin, 503s) are that round's alone, so with several rounds each round gets a row too.
    const perRound = report.targets.flatMap((t, i) => t.rounds.length < 2 ? [] : t.rounds.map((r, k) => ({ t: { ...t, result: r }, i, name: `${names[i]} r${k + 1}` })))
    ;[...report.targets.map((t, i) => ({ t, i, name: names[i] })), ...perRound].forEach(({ t, i, name }) => {
      const r = t.result
      const c = r.byClass ?? {}
      const fig = (k: 'origin' | 'shed' | 'cache' | 'error'): { n: string, p50: string, p95: string, p99: string } => {
        const g = c[k]
        return g === undefined ? { n: '0', p50: '-', p95: '-', p99: '-' } : { n: int(g.count), p50: ms(g.latency.p50), p95: ms(g.latency.p95), p99: ms(g.latency.p99) }
      }
      const o = fig('origin')
      const s = fig('shed')
      rows.push([name, `${int(r.connections.minOpen)}-${int(r.connections.maxOpen)}`, rate(r.offeredRps), rate(r.rps), pct(r.successRate),
        ms(r.latency.p50), ms(r.latency.p95), ms(r.latency.p99), o.n, o.p50, o.p95, o.p99, s.n, s.p50, s.p99, fig('cache').n, fig('error').n,
        `${r.loadGenerator.cpuPercent.toFixed(0)}% / ${ms(r.loadGenerator.eventLoopDelayP99Ms)}`,
        `${cpu[i].wall === 0 ? '-' : `${(100 * cpu[i].busy / cpu[i].wall).toFixed(0)}%`} / ${loopDelayText(loop[i])}`, int(drops[i])])
    })
    say(padTable(rows, c => c >= 1).join('\n'))
    say('  latencies in ms from the intended send time; "reached origin" = answered by the shop (not a hit, not a 503); "no answer" = client timeout or error;')
    say(`  lag = event-loop delay: the generator's over the window${gen.parts > 1 ? ` (and its CPU: the busiest of its ${gen.parts} processes)` : ''}, the sidecar's the median of its per-second p99s (and the worst)` +
      `${values.workers > 1 ? `, per worker (joined by +); sidecar CPU = its primary and ${values.workers} workers together, % of one core` : ''};`)
    say(`  SYNs dropped = the kernel's listen-queue overflows while measured (server.backlog ${values.backlog ?? 'default'}), machine-wide: other processes' count too;`)
    say('  each costs a user a 1 s, 3 s, 7 s SYN retry; the target port\'s own queue is under "connections while measured" below')
    const capacity = values.children * 1000 / values['page-ms']
    const pageMs = values['page-ms']
    report.targets.forEach((t, i) => {
      if (!names[i].startsWith('D')) return
      // Little's law on the guard: limit slots, each held from send until the sidecar has read the answer.
      const originRps = (t.result.byClass?.origin?.count ?? 0) / (t.result.durationMs / 1000)
      const slotMs = originRps === 0 ? 0 : 1000 * guardLimit / originRps
      const lag = median(loop[i].p99s)
      say(`  D: the origin answered ${rate(originRps)}/s of its ${int(capacity)}/s; with ${guardLimit} slots that is ${ms(slotMs)} ms per slot for a ${pageMs} ms page` +
        (slotMs > 1.5 * pageMs
          ? `: each slot stays held until the sidecar's event loop reads the answer, and that loop ran late (lag p99 ${ms(lag)} ms, worst ${ms(loop[i].max)} ms: ` +
            'CPU-starved on this shared machine), so the origin got at most limit / (page + lag)'
          : ''))
    })
    const lg = report.targets.map(t => t.result.loadGenerator)
    if (lg.some(g => g.cpuPercent > 85 || g.eventLoopDelayP99Ms > 50)) {
      say(`  load generator: CPU up to ${Math.max(...lg.map(g => g.cpuPercent)).toFixed(0)}% of one core, event-loop delay p99 up to ${ms(Math.max(...lg.map(g => g.eventLoopDelayP99Ms)))} ms: ` +
        'its timers ran late, and latency from the intended send time includes that delay')
    }
    report.targets.forEach((t, i) => {
      say(`  ${names[i]}: answers/s per route by status and Cache-Status (measured window):`)
      for (const l of detailLines(t)) say(l)
      // What the success rate counts against: every status and client-side error of the window's requests.
      say(`  ${names[i]}: requests by status ${Object.entries(t.result.statuses).map(([k, n]) => `${k} ${int(n)}`).join(', ')}` +
        `; errors ${Object.entries(t.result.errors).map(([k, n]) => `${k} ${int(n ?? 0)}`).join(', ') || 'none'}; success ${pct(t.result.successRate)} (median of the rounds)`)
      say(`  ${names[i]}: the sidecar's counters per second while measured:`)
      for (const l of counterLines(counters[i])) say(l)
      say(`  ${names[i]}: each second measured (after [the ${TIMELINE_BEFORE} before each window]), the guard's requests at the origin / queued (high normal low), the shop's running / waiting, and its requests/s:`)
      say(`    ${timelines[i].join(' | ')}`)
    })
    for (const [i, t] of report.targets.entries()) {
      for (const l of await churn.lines(i, names[i], t.result, users / (arriveMs / 1000))) say(l)
    }
    say('')
    say(routeLoad(report.targets[0], names[0], capacity))
  } finally {
    await Promise.all([...procs.map(async p => { await p.stop() }), split?.close()])
  }
}

/** The sidecar's own event-loop delay, one line a second on stdout (`lag <p99 ms> <max ms>`): an origin slot stays
 * held until the loop reads the origin's answer, so a late loop costs the origin throughput (limit / (page + lag)). */
function reportLoopDelay (emit: (line: string) => void): void {
  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  setInterval(() => {
    emit(`lag ${(h.percentile(99) / 1e6).toFixed(1)} ${(h.max / 1e6).toFixed(1)}`)
    h.reset()
  }, 1000).unref()
}

/** The sidecar's cache and guard counters, one `stats` line a second: `metric{labels}` -> cumulative value. */
function reportCounters (registry: import('prom-client').Registry, emit: (line: string) => void): void {
  setInterval(() => {
    void (async () => {
      const out: Stats = {}
      for (const name of STAT_METRICS) {
        const m = registry.getSingleMetric(name)
        if (m === undefined) continue
        for (const v of (await m.get()).values) {
          const metric = (v as { metricName?: string }).metricName ?? name
          // Histograms: only their _count and _sum.
          if (metric.endsWith('_bucket')) continue
          const labels = Object.entries(v.labels).map(([k, l]) => `${k}=${String(l)}`).join(',')
          if (v.value !== 0) out[`${metric}{${labels}}`] = v.value
        }
      }
      emit(`stats ${JSON.stringify(out)}`)
    })()
  }, 1000).unref()
}

/** A sidecar's counters over its measured windows: the increase between consecutive `stats` lines that both came
 * while measured (several rounds add up), and the seconds they span. */
interface Counted { sum: Stats, seconds: number }

function countersOf (sc: Started, measuring: () => boolean): Counted {
  const out: Counted = { sum: {}, seconds: 0 }
  let prev: { v: Stats, at: number } | null = null
  onLines(sc, line => {
    if (!line.startsWith('stats ')) return
    if (!measuring()) { prev = null; return }
    const v = JSON.parse(line.slice(6)) as Stats
    const at = performance.now()
    if (prev !== null) {
      for (const [k, x] of Object.entries(v)) out.sum[k] = (out.sum[k] ?? 0) + x - (prev.v[k] ?? 0)
      out.seconds += (at - prev.at) / 1000
    }
    prev = { v, at }
  })
  return out
}

/** One entry a second while measured, led by the TIMELINE_BEFORE seconds before each window (in brackets): what the
 * guard holds and what the shop is doing, to tell a slow origin from slots held by the sidecar (origin slots in use
 * while the shop runs nothing). */
function guardTimeline (sc: Started, shop: Started, measuring: () => boolean): string[] {
  const out: string[] = []
  const before: string[] = []
  let was = false
  let guard = '-'
  let lastReq = -1
  onLines(sc, line => {
    if (!line.startsWith('stats ')) return
    const v = JSON.parse(line.slice(6)) as Stats
    const q = (lane: string): number => v[`sipup_origin_queue_depth{lane=${lane}}`] ?? 0
    guard = `${v['sipup_origin_inflight{}'] ?? 0}/${q('high')} ${q('normal')} ${q('low')}`
  })
  onLines(shop, line => {
    const m = /^shop (\d+) (\d+) (\d+)$/.exec(line)
    if (m === null) return
    const req = Number(m[3])
    const entry = `${guard} ${m[1]}/${m[2]} ${lastReq < 0 ? '-' : req - lastReq}`
    const now = measuring()
    if (now && !was) out.push(`[${before.join(' | ')}]`)
    if (now) out.push(entry)
    else if (before.push(entry) > TIMELINE_BEFORE) before.shift()
    was = now
    lastReq = req
  })
  return out
}

/** Per second over the measured windows: each counter's increase, grouped by metric, largest first. */
function counterLines (c: Counted): string[] {
  if (c.seconds === 0) return ['    (no counters read while measured)']
  const by = new Map<string, Array<[string, number]>>()
  for (const [k, d] of Object.entries(c.sum)) {
    if (d <= 0) continue
    const metric = k.slice(0, k.indexOf('{'))
    if (STAT_GAUGES.has(metric)) continue
    let list = by.get(metric)
    if (list === undefined) { list = []; by.set(metric, list) }
    list.push([k.slice(k.indexOf('{')), d])
  }
  const lines: string[] = []
  for (const [metric, list] of by) {
    list.sort((a, b) => b[1] - a[1])
    const sum = metric.endsWith('_sum')
    lines.push(`    ${metric}${sum ? ' (s/s)' : ' (/s)'}: ${list.map(([l, d]) => `${l} ${(d / c.seconds).toFixed(sum ? 2 : 1)}`).join(', ')}`)
  }
  return lines
}

/** Per route: answers/s by status and Cache-Status detail, over the measured window. */
function detailLines (t: TargetReport): string[] {
  const secs = t.result.durationMs / 1000
  const lines: string[] = []
  for (const [name, d] of Object.entries(t.result.details ?? {})) {
    const parts = Object.entries(d).map(([k, n]) => `${k} ${(n / secs).toFixed(1)}`)
    lines.push(`    ${name}: ${parts.join(' | ')}`)
  }
  return lines
}

/** A sidecar's event-loop delay while measured: the per-second p99s and the worst, of the whole node (every worker's
 * seconds together) and per worker (by pid; one entry, key '', for a single process). */
interface LoopDelay { p99s: number[], max: number, byWorker: Map<string, { p99s: number[], max: number }> }

/** Collects a sidecar's `lag` lines (`lag <p99> <max> [<worker pid>]`) while `measuring()` says its target is measured. */
function loopDelayOf (sc: Started, measuring: () => boolean): LoopDelay {
  const out: LoopDelay = { p99s: [], max: 0, byWorker: new Map() }
  onLines(sc, line => {
    const m = /^lag ([\d.]+) ([\d.]+)(?: (\d+))?$/.exec(line)
    if (m === null || !measuring()) return
    const p99 = Number(m[1])
    const max = Number(m[2])
    out.p99s.push(p99)
    out.max = Math.max(out.max, max)
    const key = m[3] ?? ''
    let w = out.byWorker.get(key)
    if (w === undefined) { w = { p99s: [], max: 0 }; out.byWorker.set(key, w) }
    w.p99s.push(p99)
    w.max = Math.max(w.max, max)
  })
  return out
}

/** `<median p99> (<worst>)`, per worker when there are several (their percentiles don't add up). */
function loopDelayText (l: LoopDelay): string {
  if (l.byWorker.size <= 1) return `${ms(median(l.p99s))} (${ms(l.max)})`
  return [...l.byWorker.values()].map(w => `${ms(median(w.p99s))} (${ms(w.max)})`).join(' + ')
}

function median (xs: number[]): number {
  if (xs.length === 0) return 0
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

/** Where an answer of the `details` map came from (`<status> <Cache-Status params>`), as the recorder's answerClass. */
function detailClass (key: string): 'cache' | 'origin' | 'shed' {
  const sp = key.indexOf(' ')
  const status = sp === -1 ? key : key.slice(0, sp)
  const params = sp === -1 ? [] : key.slice(sp + 1).split('; ')
  if (params.includes('hit') || params.includes('fwd=stale')) return 'cache'
  return status === '503' ? 'shed' : 'origin'
}

/** Per route: requests/s, and of the answers how many came from the cache, from the origin, or were shed (503): the
 * uncached ones (origin + shed) are what the route asks of the origin; the routes that add up past its capacity
 * are the ones to make cacheable. Requests with no answer (client timeout) are counted apart: whether they needed
 * the origin is unknown. */
function routeLoad (t: TargetReport, name: string, capacity: number): string {
  const seconds = t.result.durationMs / 1000
  const rows = [['    route', 'req/s', 'from cache/s', 'reached origin/s', 'shed/s', 'uncached/s', 'no answer/s', 'uncached share of origin capacity']]
  // '(not sent)': requests still due at the end, not a route.
  const routes = Object.entries(t.result.byRequest).filter(([route]) => route !== '(not sent)').map(([route, g]) => {
    const by = { cache: 0, origin: 0, shed: 0 }
    for (const [k, n] of Object.entries(t.result.details?.[route] ?? {})) by[detailClass(k)] += n
    const answered = by.cache + by.origin + by.shed
    return { route, rps: g.count / seconds, cache: by.cache / seconds, origin: by.origin / seconds, shed: by.shed / seconds, none: (g.count - answered) / seconds }
  })
  routes.sort((a, b) => (b.origin + b.shed) - (a.origin + a.shed))
  const sum = (f: (r: typeof routes[number]) => number): number => routes.reduce((a, r) => a + f(r), 0)
  for (const r of routes) {
    rows.push([`    ${r.route}`, rate(r.rps), rate(r.cache), rate(r.origin), rate(r.shed), rate(r.origin + r.shed), rate(r.none), pct((r.origin + r.shed) / capacity, 0)])
  }
  const total = sum(r => r.origin + r.shed)
  rows.push(['    total', rate(sum(r => r.rps)), rate(sum(r => r.cache)), rate(sum(r => r.origin)), rate(sum(r => r.shed)), rate(total), rate(sum(r => r.none)), pct(total / capacity, 0)])
  const verdict = total > capacity
    ? `the routes above ask the origin for ${rate(total)} requests/s, more than its ${int(capacity)}/s: no limit makes that pass; cache more of them (from the top)`
    : `they ask the origin for ${rate(total)} requests/s, within its ${int(capacity)}/s`
  return [`  per route, measured on ${name} (answers by where they came from; uncached = reached the origin or shed):`, ...padTable(rows, c => c >= 1), `  ${verdict}`].join('\n')
}

/** TcpExt ListenOverflows, machine-wide (0 where unreadable). */
function listenOverflows (): number {
  return procCounters()?.overflows ?? 0
}
