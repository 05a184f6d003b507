// The lane queue alone: FIFO per lane, weighted round robin between lanes, O(1) removal, who makes room.
import t from '../helpers/cases.js'
import { LaneQueue, QueueNode, type Lane } from '../../src/proxy/origin-guard/lane-queue.js'

class N extends QueueNode {
  readonly id: string
  constructor (lane: Lane, id: string) { super(lane); this.id = id }
}

function drain (q: LaneQueue<N>): string[] {
  const out: string[] = []
  for (let n = q.shift(); n !== null; n = q.shift()) out.push(n.id)
  return out
}

t.test('weights 3/2/1: per round up to three high, two normal, one low', async t => {
  const q = new LaneQueue<N>([3, 2, 1])
  for (let i = 1; i <= 5; i++) q.push(new N(0, `h${i}`))
  for (let i = 1; i <= 3; i++) q.push(new N(1, `n${i}`))
  for (let i = 1; i <= 2; i++) q.push(new N(2, `l${i}`))
  t.same(drain(q), ['h1', 'h2', 'h3', 'n1', 'n2', 'l1', 'h4', 'h5', 'n3', 'l2'])
  t.equal(q.size, 0)
})

t.test('remove from the middle keeps FIFO; an emptied queue starts the next burst with high', async t => {
  const q = new LaneQueue<N>([1, 1, 1])
  const a = new N(1, 'a'); const b = new N(1, 'b'); const c = new N(1, 'c')
  q.push(a); q.push(b); q.push(c)
  q.remove(b)
  q.remove(b)
  t.equal(q.depth(1), 2)
  t.equal(q.shift()?.id, 'a')
  q.remove(c)
  q.push(new N(2, 'low'))
  q.push(new N(0, 'high'))
  t.same(drain(q), ['high', 'low'])
})

t.test('victimFor: the newest of the least important lane below the newcomer', async t => {
  const q = new LaneQueue<N>([1, 1, 1])
  q.push(new N(1, 'n1')); q.push(new N(2, 'l1')); q.push(new N(2, 'l2'))
  t.equal(q.victimFor(0)?.id, 'l2')
  t.equal(q.victimFor(1)?.id, 'l2')
  t.equal(q.victimFor(2), null, 'a low request makes no room for itself')
})

t.test('unshift: first of its lane, into an empty lane or before others; removable like any', async t => {
  const q = new LaneQueue<N>([1, 1, 1])
  const first = new N(0, 'first')
  q.unshift(first)
  t.equal(q.oldest(0)?.id, 'first')
  t.equal(q.newest(0)?.id, 'first')
  q.push(new N(0, 'a'))
  q.push(new N(0, 'b'))
  const front = new N(0, 'front')
  q.unshift(front)
  t.equal(q.depth(0), 4)
  t.equal(q.size, 4)
  q.remove(first)
  t.same(drain(q), ['front', 'a', 'b'])
  const only = new N(1, 'only')
  q.unshift(only)
  q.remove(only)
  t.equal(q.size, 0)
  t.equal(q.oldest(1), null)
  t.equal(q.newest(1), null)
})
