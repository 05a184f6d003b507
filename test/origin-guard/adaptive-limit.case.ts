// maxConcurrent: auto converges near the knee of an origin whose latency rises past a known concurrency (php-fpm
// with K children: beyond K, requests queue inside PHP), from above and from below, and stays put when idle.
import t from '../helpers/cases.js'
import { AdaptiveLimit, LoopStallWatcher, PROBE_GIVE_UP_MS } from '../../src/proxy/origin-guard/adaptive-limit.js'
import { inCI } from '../helpers/services.js'
import { client, countingOrigin, gauge, get, guardedSidecar } from './helpers.js'

/** A saturated php-fpm-like origin: `limit` requests in flight, latency base × max(1, inflight / K). */
function simulate (limit: AdaptiveLimit, knee: number, baseMs: number, samples: number, demand = Infinity): number[] {
  const seen: number[] = []
  let clock = 0
  for (let i = 0; i < samples; i++) {
    const inflight = Math.min(limit.current, demand)
    const rtt = baseMs * Math.max(1, inflight / knee) * (1 + 0.1 * Math.sin(i))
    clock += rtt / inflight
    limit.sample(rtt, inflight, true)
    seen.push(limit.current)
  }
  void clock
  return seen
}

t.test('simulated origin: from above and from below, the limit settles between the knee and twice it', async t => {
  for (const initial of [4, 200]) {
    const limit = new AdaptiveLimit({ min: 1, max: 500, initial })
    const seen = simulate(limit, 20, 50, 20_000)
    const tail = seen.slice(-2000)
    t.ok(Math.min(...tail) >= 20 && Math.max(...tail) <= 40, `from ${initial}: last limits ${Math.min(...tail)}..${Math.max(...tail)} within [20, 40]`)
  }
})

t.test('an idle site does not grow the limit', async t => {
  const limit = new AdaptiveLimit({ min: 1, max: 500, initial: 10 })
  simulate(limit, 20, 50, 5000, 2)
  t.ok(limit.current <= 10, `stays at ${limit.current}`)
})

t.test('bounds hold', async t => {
  const low = new AdaptiveLimit({ min: 8, max: 500, initial: 50 })
  simulate(low, 2, 50, 5000)
  t.ok(low.current >= 8, `not below min: ${low.current}`)
  const high = new AdaptiveLimit({ min: 1, max: 30, initial: 10 })
  simulate(high, 1000, 50, 5000)
  t.equal(high.current, 30)
})

t.test('real sockets: a test origin with 8 workers, the limit found from its latency', async t => {
  const K = 8
  const queue: (() => void)[] = []
  let busy = 0
  const o = await countingOrigin(t, 0, (_req, res) => { res.end('ok') })
  // Replace the counting origin's hold-everything behaviour with a php-fpm-like pool of K workers of 20 ms each.
  o.origin.server.removeAllListeners('request')
  o.origin.server.on('request', (_req, res) => {
    const run = (): void => {
      busy++
      setTimeout(() => { busy--; res.end('ok'); queue.shift()?.() }, 20)
    }
    if (busy < K) run()
    else queue.push(run)
  })
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 'auto', autoLimit: { min: 2, max: 100, initial: 60 }, queue: { size: 1000, timeout: '30s' } })
  const agent = client(t)
  const near = (v: number): boolean => v >= K * 0.75 && v <= K * 3
  // Load until the limit has been near the knee for 2 s (it must stay there, not pass through). The limit learns
  // only from samples that overlapped no stall of this process's event loop (see the next test), and on a loaded
  // machine nearly every sample overlaps one (seen: the loop away 700-950 ms of every second at load 18 on 2 cores,
  // the limit frozen at 60 for 45 s). So the deadline counts what the limit could learn from, not seconds: the
  // responses the client got with no stall during them (the sidecar, origin and client share this loop, and the
  // origin request lies inside the client's), with a wall-clock cap inside the case timeout.
  // Settled runs took 56-881 of them; the fastest took 4.5 s, at most 1800 responses at the origin's 400/s.
  const CLEAN_BUDGET = 4000
  const CAP_MS = 80_000
  const stalls = new LoopStallWatcher()
  t.after(() => stalls.close())
  const started = Date.now()
  let clean = 0
  let settledSince = Infinity
  let loading = true
  const worker = async (): Promise<void> => {
    while (loading) {
      const sent = performance.now()
      await get(agent, `${sc.url}/x`)
      if (stalls.lastStallEnd <= sent) clean++
    }
  }
  const trace: number[] = []
  const timer = setInterval(() => {
    gauge(sc, 'sipup_origin_concurrency_limit').then(v => {
      trace.push(v)
      const now = Date.now()
      settledSince = near(v) ? Math.min(settledSince, now) : Infinity
      if (now - settledSince >= 2000 || clean >= CLEAN_BUDGET || now - started > CAP_MS) loading = false
    }, () => {})
  }, 250)
  await Promise.all(Array.from({ length: 60 }, worker))
  clearInterval(timer)
  t.comment(`limit every 250 ms: ${trace.join(' ')}`)
  t.comment(`${clean} stall-free responses in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  const limit = await gauge(sc, 'sipup_origin_concurrency_limit')
  if (!(near(limit) && trace.slice(-8).every(near)) && clean < CLEAN_BUDGET && !inCI) {
    // Not a verdict on the limit: the machine left the sidecar too little stall-free time to learn in.
    t.pass(`skipped: only ${clean} of ${CLEAN_BUDGET} stall-free responses in ${CAP_MS / 1000} s (limit ${limit}); set CI=true to make this a failure`, { skip: true })
    return
  }
  t.ok(near(limit), `limit ${limit} near the knee ${K} (from 60) after ${clean} stall-free responses`)
  t.ok(trace.slice(-8).every(near), 'and stayed there for its last 2 s')
})

t.test("the sidecar's own event-loop stall does not collapse the limit: samples that overlapped it are left out", async t => {
  // A converged limit on a knee-20 origin, then one window of answers that sat unread during a 2 s stall (RTT 2 s).
  const run = (withStalls: boolean): number => {
    let clock = 0
    const stalls = { lastStallEnd: -Infinity }
    const limit = new AdaptiveLimit({ min: 1, max: 500, initial: 20 }, () => clock, withStalls ? stalls : null)
    for (let i = 0; i < 20_000; i++) {
      const inflight = limit.current
      const rtt = 50 * Math.max(1, inflight / 20)
      clock += rtt / inflight
      limit.sample(rtt, inflight, true)
    }
    const before = limit.current
    clock += 2000
    stalls.lastStallEnd = clock
    for (let i = 0; i < 200; i++) { clock += 1; limit.sample(2000, limit.current, true) }
    t.ok(before >= 20, `converged at ${before} before the stall`)
    return limit.current
  }
  const filtered = run(true)
  const unfiltered = run(false)
  t.ok(filtered >= 20, `with the stall watcher the limit stays at the knee or above: ${filtered}`)
  t.ok(unfiltered < filtered, `without it the stalled RTTs shrink the limit (${unfiltered} < ${filtered})`)
})

t.test('a probe starved of clean samples gives up after PROBE_GIVE_UP_MS instead of holding the limit at min', async t => {
  let clock = 0
  const stalls = { lastStallEnd: -Infinity }
  // The first window is a probe at `min`; every answer overlaps a stall of the loop, so none is a sample.
  const limit = new AdaptiveLimit({ min: 2, max: 500, initial: 40 }, () => clock, stalls)
  t.equal(limit.current, 2, 'probing at min')
  for (; clock <= PROBE_GIVE_UP_MS; clock += 50) {
    stalls.lastStallEnd = clock
    limit.sample(30, 1, true)
  }
  t.equal(limit.current, 2, `still probing just before ${PROBE_GIVE_UP_MS} ms`)
  clock += 100
  stalls.lastStallEnd = clock
  limit.sample(30, 1, true)
  t.equal(limit.current, 40, 'then the probe ends and the estimate is the limit again')
  t.equal(limit.baseline, Infinity, 'with no baseline learnt from stalled answers')
})

t.test('a limit left idle does not take its baseline from the first cold request', async t => {
  let clock = 0
  const limit = new AdaptiveLimit({ min: 1, max: 500, initial: 10 }, () => clock)
  // Idle for 10 s after start-up, then one cold request (200 ms: new connection, cold PHP) and warm ones of 20 ms.
  clock = 10_000
  limit.sample(200, 1, true)
  t.equal(limit.baseline, Infinity, 'one sample does not close the window it opened')
  for (let i = 0; i < 19; i++) { clock += 1; limit.sample(20, 1, true) }
  t.ok(limit.baseline < 40, `baseline ${limit.baseline} ms from the whole window, not the cold 200 ms`)
})
