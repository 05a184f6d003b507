// The wait estimate that decides on arrival between queueing and a fast 503 (src/proxy/origin-guard/wait-estimate.ts),
// and the guard it drives, on a clock and an origin the test moves by hand: no timing, every figure exact.
import t from '../helpers/cases.js'
import type { Dispatcher } from 'undici'
import { WaitEstimate, SLOT_RISE } from '../../src/proxy/origin-guard/wait-estimate.js'
import { OriginGuard } from '../../src/proxy/origin-guard/origin-guard.js'
import { BusyAnswer, shedSignals } from '../../src/proxy/origin-guard/shed.js'
import type { Lane } from '../../src/proxy/origin-guard/lane-queue.js'

const WEIGHTS = [6, 3, 1]

t.test('nothing known before the first answer; then limit slots per slot time, strict priority, the lane\'s share', async t => {
  const e = new WaitEstimate(WEIGHTS)
  const none = (): number => 0
  t.equal(e.waitMs(0, 3, none, 1, 0), 0, 'no answer yet: no estimate, nobody shed for it')
  e.answered(100)
  t.equal(e.waitMs(0, 0, none, 1, 0), 100, 'the head of an idle queue: one slot')
  t.equal(e.waitMs(0, 4, none, 1, 0), 500)
  t.equal(e.waitMs(0, 4, none, 2, 0), 250, 'two slots drain twice as fast')
  // Five high requests waiting: a low one goes after them.
  const highQueue = (l: Lane): number => l === 0 ? 5 : 0
  t.equal(e.waitMs(2, 0, highQueue, 1, 0), 600)
  // A high stream at the origin's whole pace (10/s) leaves low only its share of the round: 1 of 6 + 1.
  for (let at = 0; at < 5000; at += 100) e.queued(0, false, at)
  t.ok(e.rate(0, 5000) > 0.009, 'the high lane\'s arrival rate is measured')
  t.equal(Math.round(e.waitMs(2, 0, highQueue, 1, 5000)), 700)
  t.equal(Math.round(e.waitMs(2, 1, highQueue, 1, 5000)), 1400)
})

t.test('the slot time follows a slowing origin at once and a faster one slowly', async t => {
  const e = new WaitEstimate(WEIGHTS)
  for (let i = 0; i < 20; i++) e.answered(100)
  e.answered(500)
  t.equal(e.slotMs, 100 + SLOT_RISE * 400)
  const after = e.slotMs
  e.answered(50)
  t.ok(e.slotMs > after - 0.1 * (after - 50), 'one fast answer moves it less than a slow one did')
})

t.test('a lane whose queue has not moved for longer than its usual pace is believed slower', async t => {
  const e = new WaitEstimate(WEIGHTS)
  e.answered(100)
  e.queued(0, true, 0)
  e.sent(0, true, 100)
  t.equal(e.waitMs(0, 2, () => 3, 1, 100), 300)
  // 800 ms without a departure (an origin or event loop that stalled): the next one is at least that far off.
  t.equal(e.waitMs(0, 2, () => 3, 1, 900), 800 + 2 * 100)
})

/** An OriginGuard on a hand-moved clock in front of an origin that answers one request every `pageMs`. */
function simulation (limit: number, timeoutMs: number, pageMs: number) {
  let now = 0
  const signals = shedSignals(new BusyAnswer({ retryAfter: 5000, title: 'busy', message: 'busy', file: '' }))
  const guard = new OriginGuard({
    limit: { current: limit },
    queueSize: 1000,
    queueTimeoutMs: timeoutMs,
    weights: WEIGHTS,
    classify: opts => (opts.path.startsWith('/low') ? 2 : 0),
    signals,
    field: null,
    metrics: null,
    now: () => now
  })
  const atOrigin: Array<{ handler: Dispatcher.DispatchHandler, until: number }> = []
  const ctl = { aborted: false, paused: false, reason: null, abort () {}, pause () {}, resume () {} }
  const dispatch = guard.interceptor(((_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) => {
    atOrigin.push({ handler, until: now + pageMs })
    handler.onRequestStart?.(ctl, {})
    return true
  }) as Dispatcher['dispatch'])
  interface Outcome { path: string, arrived: number, sentAt: number, shedAt: number, reason: string }
  const outcomes: Outcome[] = []
  /** One request arrives now. */
  const arrive = (path: string): Outcome => {
    const o: Outcome = { path, arrived: now, sentAt: -1, shedAt: -1, reason: '' }
    outcomes.push(o)
    dispatch({ origin: 'http://origin', path, method: 'GET' }, {
      onRequestStart () { if (o.shedAt < 0) o.sentAt = now },
      onResponseError (_c, err) { o.sentAt = -1; o.shedAt = now; o.reason = (err as Error & { reason: string }).reason }
    })
    return o
  }
  /** Moves the clock; the origin answers what is due. */
  const advance = (ms: number): void => {
    const to = now + ms
    for (;;) {
      atOrigin.sort((a, b) => a.until - b.until)
      const next = atOrigin[0]
      if (next === undefined || next.until > to) break
      atOrigin.shift()
      now = next.until
      next.handler.onResponseEnd?.(ctl, {})
    }
    now = to
  }
  return { guard, arrive, advance, outcomes, get now () { return now } }
}

t.test('steady overload with a high-lane stream: low requests are shed on arrival, and every admitted one is sent in time', async t => {
  const timeoutMs = 1000
  const s = simulation(1, timeoutMs, 100)
  t.after(() => s.guard.close())
  // The origin answers 10/s; 20 high requests and 4 low ones arrive per second, for 20 s.
  for (let step = 0; step < 400; step++) {
    s.arrive(`/high/${step}`)
    if (step % 5 === 0) s.arrive(`/low/${step}`)
    s.advance(50)
  }
  s.advance(5000)
  const sent = s.outcomes.filter(o => o.sentAt >= 0)
  const shed = s.outcomes.filter(o => o.shedAt >= 0)
  t.equal(sent.length + shed.length, s.outcomes.length, 'every request was sent or shed')
  t.ok(sent.length >= 190, `the origin stayed busy: ${sent.length} sent in 20 s at 10/s`)
  // Sent at its deadline or later is what the queue's timeout would have shed: none is.
  t.same(sent.filter(o => o.sentAt >= o.arrived + timeoutMs).map(o => o.path), [], 'every admitted request got its slot before its deadline')
  const late = sent.filter(o => o.sentAt + 100 > o.arrived + timeoutMs)
  t.ok(late.length <= sent.length / 20, `nearly every one answered by its deadline: ${late.length} of ${sent.length} later`)
  const slowShed = shed.filter(o => o.shedAt > o.arrived)
  t.ok(slowShed.length <= shed.length / 100, `nearly every shed on arrival: ${slowShed.length} of ${shed.length} after waiting`)
  const low = s.outcomes.filter(o => o.path.startsWith('/low'))
  t.ok(low.some(o => o.sentAt >= 0), 'low is not starved')
  t.ok(low.filter(o => o.shedAt >= 0).every(o => o.shedAt === o.arrived), 'every shed low request was shed on arrival')
})

t.test('a more important arrival sheds the less important requests that can no longer make it at once', async t => {
  const s = simulation(1, 1000, 100)
  t.after(() => s.guard.close())
  // Teach the pace, then queue four low requests behind one at the origin.
  s.arrive('/prime')
  s.advance(100)
  s.arrive('/held')
  const low = [0, 1, 2, 3].map(i => s.arrive(`/low/${i}`))
  t.ok(low.every(o => o.shedAt < 0), 'alone, the low lane makes it: 5 slots < 1 s')
  s.advance(10)
  // A burst of high requests overtakes them: low now gets one slot per round of 6 high + 1 low.
  for (let i = 0; i < 6; i++) s.arrive(`/high/${i}`)
  const at = s.now
  const gone = low.filter(o => o.shedAt === at)
  t.ok(gone.length >= 2, `${gone.length} low requests shed when overtaken, not at their timeout`)
  t.ok(gone.every(o => o.reason === 'queue-timeout'))
  t.equal(low[0].shedAt, -1, 'the head of the lane waits: its slot may come any moment')
  s.advance(5000)
  const sentLow = low.filter(o => o.sentAt >= 0)
  t.ok(sentLow.every(o => o.sentAt + 100 <= o.arrived + 1000), 'the low requests kept were answered in time')
})
