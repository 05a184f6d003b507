// The priority gate in isolation: high first, a floor for lower queues so none starves, per-type limits, pauses.
import t from '../helpers/cases.js'
import { PriorityGate } from '../../src/plugins/jobs/priority-gate.js'
import type { Priority } from '../../src/plugins/jobs/schema.js'

/** Queues `n` waiters per class, then lets `picks` of them run one at a time; returns the classes in run order. */
async function order (gate: PriorityGate, backlog: Record<Priority, number>, picks: number): Promise<Priority[]> {
  const ran: Priority[] = []
  const all: Promise<void>[] = []
  for (const p of ['low', 'normal', 'high'] as Priority[]) {
    for (let i = 0; i < backlog[p]; i++) all.push(gate.acquire(p, 't').then(a => { if (a === 'granted') ran.push(p) }))
  }
  await Promise.resolve()
  for (let i = 0; ran.length < picks && i < picks * 2; i++) {
    gate.release('t')
    await new Promise(resolve => setImmediate(resolve))
  }
  gate.close()
  await Promise.all(all)
  return ran.slice(0, picks)
}

t.test('one slot, all three queues backlogged: high mostly, normal and low each get their floor', async t => {
  const gate = new PriorityGate({ concurrency: 1, shares: { normal: 0.2, low: 0.05 }, typeLimit: () => 100 })
  // Take the slot first so every waiter queues before any pick.
  t.equal(await gate.acquire('high', 't'), 'granted')
  const ran = await order(gate, { high: 200, normal: 200, low: 200 }, 200)
  const count = (p: Priority): number => ran.filter(r => r === p).length
  t.same(ran.slice(0, 4), ['high', 'high', 'high', 'high'], 'high goes first')
  t.ok(count('low') >= 9 && count('low') <= 11, `low got ${count('low')} of 200 picks (floor 5 %)`)
  t.ok(count('normal') >= 38 && count('normal') <= 41, `normal got ${count('normal')} of 200 (floor 20 %)`)
  t.equal(count('high'), 200 - count('low') - count('normal'), 'high the rest')
  const firstLow = ran.indexOf('low')
  t.ok(firstLow >= 0 && firstLow < 20, `low ran within its first 20 picks (at ${firstLow + 1})`)
})

t.test('without contention a lower queue gets every slot', async t => {
  const gate = new PriorityGate({ concurrency: 1, shares: { normal: 0.2, low: 0.05 }, typeLimit: () => 100 })
  t.equal(await gate.acquire('low', 't'), 'granted')
  t.same(await order(gate, { high: 0, normal: 0, low: 5 }, 5), ['low', 'low', 'low', 'low', 'low'])
})

t.test('a type at its concurrency waits without blocking other types', async t => {
  const gate = new PriorityGate({ concurrency: 3, shares: { normal: 0.2, low: 0.05 }, typeLimit: type => type === 'email' ? 1 : 10 })
  const granted: string[] = []
  const a = gate.acquire('high', 'email').then(ok => { if (ok === 'granted') granted.push('email1') })
  const b = gate.acquire('high', 'email').then(ok => { if (ok === 'granted') granted.push('email2') })
  const c = gate.acquire('low', 'report').then(ok => { if (ok === 'granted') granted.push('report') })
  await Promise.resolve(); await Promise.resolve()
  t.same(granted.sort(), ['email1', 'report'], 'the second email waits, the low report runs')
  t.equal(await gate.acquire('high', 'email'), 'busy', 'a third high email is handed back: one already waits for the only slot')
  const d = gate.acquire('low', 'email').then(ok => { if (ok === 'granted') granted.push('email-low') })
  await Promise.resolve()
  t.same(granted.sort(), ['email1', 'report'], 'a low one may wait beside it (so the gate can still choose by priority)')
  gate.release('email')
  await Promise.resolve(); await Promise.resolve()
  t.same(granted.sort(), ['email1', 'email2', 'report'], 'high before low')
  gate.release('email')
  await Promise.resolve(); await Promise.resolve()
  t.same(granted.sort(), ['email-low', 'email1', 'email2', 'report'])
  await Promise.all([a, b, c, d])
})

t.test('a rate-limit pause holds the type until it ends (injected clock and timer)', async t => {
  let now = 1000
  let fire: (() => void) | null = null
  let armedFor = -1
  const gate = new PriorityGate({
    concurrency: 2, shares: { normal: 0.2, low: 0.05 }, typeLimit: () => 10,
    now: () => now,
    setTimer: (fn, ms) => { fire = fn; armedFor = ms; return setTimeout(() => {}, 0) }
  })
  gate.block('email', 1500)
  let ran = false
  const p = gate.acquire('normal', 'email').then(a => { ran = a === 'granted' })
  await Promise.resolve()
  t.equal(ran, false, 'paused')
  t.equal(armedFor, 500, 'a wake-up armed for the end of the pause')
  now = 1500
  ;(fire as (() => void) | null)?.()
  await p
  t.equal(ran, true, 'runs once the pause is over')
})

t.test('close refuses waiting and new acquires', async t => {
  const gate = new PriorityGate({ concurrency: 1, shares: { normal: 0.2, low: 0.05 }, typeLimit: () => 10 })
  t.equal(await gate.acquire('high', 't'), 'granted')
  const waiting = gate.acquire('low', 't')
  gate.close()
  t.equal(await waiting, 'closed')
  t.equal(await gate.acquire('high', 't'), 'closed')
})
