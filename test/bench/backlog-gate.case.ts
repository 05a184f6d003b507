// bench/capacity's settle gate: settled only after SETTLED_SECONDS shop reports in a row with the shop's waiting and
// the guard's queue (from the sidecar's latest stats line) within their limits.
import t from '../helpers/cases.js'
import { PassThrough } from 'node:stream'
import type { ChildProcess } from 'node:child_process'
import { BacklogGate, SETTLED_SECONDS } from '../../bench/lib/backlog-gate.js'
import type { Started } from '../../bench/lib/processes.js'

function fake (): { p: Started, out: PassThrough } {
  const out = new PassThrough()
  return { p: { child: { stdout: out } as unknown as ChildProcess, stop: async () => {} }, out }
}

/** Lets the streams deliver what was written. */
const tick = (): Promise<void> => new Promise(resolve => { setImmediate(resolve) })

t.test('a queue or a shop backlog above its limit holds the gate; SETTLED_SECONDS drained seconds open it', async t => {
  t.equal(SETTLED_SECONDS, 3)
  const sidecar = fake()
  const shop = fake()
  const gate = new BacklogGate(sidecar.p, shop.p, { queued: 20, waiting: 20 })
  const second = async (queued: number, waiting: number): Promise<boolean> => {
    sidecar.out.write(`stats ${JSON.stringify({ 'sipup_origin_queue_depth{lane=high}': queued - 1, 'sipup_origin_queue_depth{lane=low}': 1, 'sipup_origin_inflight{}': 20 })}\n`)
    await tick()
    shop.out.write(`shop 20 ${waiting} 1000\n`)
    await tick()
    return gate.settled()
  }
  t.equal(gate.settled(), false, 'nothing reported yet')
  t.equal(await second(150, 0), false, 'the arrival: 150 queued in the guard')
  t.equal(await second(10, 0), false, 'one drained second')
  t.equal(await second(20, 5), false, 'two: at the limits still counts as drained')
  t.equal(await second(1, 0), true, 'three in a row')
  t.equal(await second(21, 0), false, 'the queue (summed over the lanes) above one round of slots again')
  t.equal(await second(0, 21), false, 'the shop\'s own backlog above its children holds it too')
  t.equal(await second(0, 0), false)
  t.equal(await second(0, 0), false)
  t.equal(await second(0, 0), true)
})

t.test('lines split across chunks are read whole; other lines are ignored', async t => {
  const sidecar = fake()
  const shop = fake()
  const gate = new BacklogGate(sidecar.p, shop.p, { queued: 0, waiting: 2 })
  sidecar.out.write('lag 3.1 9.0\nstats {"sipup_origin_queue_')
  await tick()
  sidecar.out.write('depth{lane=normal}":4}\n')
  for (let i = 0; i < 3; i++) {
    shop.out.write('shop 2 0 ')
    await tick()
    shop.out.write(`${i}\nconn 1 2 3\n`)
    await tick()
  }
  t.equal(gate.settled(), false, 'the split stats line was read: 4 queued > 0')
  sidecar.out.write('stats {}\n')
  await tick()
  for (let i = 0; i < 3; i++) { shop.out.write('shop 1 2 9\n'); await tick() }
  t.equal(gate.settled(), true, 'no guard metric = nothing queued (C)')
})
