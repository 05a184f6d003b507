// The wait queue in front of the origin: one FIFO per lane (high, normal, low), doubly linked so a request that
// leaves early (client gone, timed out) is unlinked in O(1), and a weighted round robin between the lanes, so a
// busy high lane cannot starve the low one: per cycle each lane gets up to its weight of the freed origin slots.

export const LANES = ['high', 'normal', 'low'] as const
export type LaneName = typeof LANES[number]
/** Index into LANES: 0 is the most important. */
export type Lane = 0 | 1 | 2

export function laneIndex (name: LaneName): Lane {
  return LANES.indexOf(name) as Lane
}

/** What the queue links; the owner's waiting request extends it. Fields are the queue's, set in the constructor. */
export class QueueNode {
  prev: QueueNode | null = null
  next: QueueNode | null = null
  readonly lane: Lane
  queued = false

  constructor (lane: Lane) {
    this.lane = lane
  }
}

class LaneList {
  head: QueueNode | null = null
  tail: QueueNode | null = null
  length = 0
}

export class LaneQueue<N extends QueueNode> {
  readonly #lanes: readonly LaneList[] = LANES.map(() => new LaneList())
  readonly #weights: readonly number[]
  /** The lane whose turn it is, and how many more of its requests it may take this turn. */
  #turn = 0
  #credit: number
  #size = 0

  /** `weights[i]`: slots lane i gets per round while others wait too (at least 1 each). */
  constructor (weights: readonly number[]) {
    this.#weights = LANES.map((_, i) => Math.max(1, Math.floor(weights[i] ?? 1)))
    this.#credit = this.#weights[0]
  }

  get size (): number { return this.#size }

  depth (lane: Lane): number { return this.#lanes[lane].length }

  /** The oldest waiting request of a lane. */
  oldest (lane: Lane): N | null { return this.#lanes[lane].head as N | null }

  /** The newest waiting request of a lane. */
  newest (lane: Lane): N | null { return this.#lanes[lane].tail as N | null }

  push (n: N): void {
    const list = this.#lanes[n.lane]
    n.prev = list.tail
    n.next = null
    if (list.tail === null) list.head = n
    else list.tail.next = n
    list.tail = n
    list.length++
    n.queued = true
    this.#size++
  }

  /** Queues `n` at the front of its lane: the next of that lane to leave. */
  unshift (n: N): void {
    const list = this.#lanes[n.lane]
    n.prev = null
    n.next = list.head
    if (list.head === null) list.tail = n
    else list.head.prev = n
    list.head = n
    list.length++
    n.queued = true
    this.#size++
  }

  remove (n: N): void {
    if (!n.queued) return
    const list = this.#lanes[n.lane]
    if (n.prev === null) list.head = n.next
    else n.prev.next = n.next
    if (n.next === null) list.tail = n.prev
    else n.next.prev = n.prev
    n.prev = null
    n.next = null
    n.queued = false
    list.length--
    if (--this.#size === 0) {
      // A fresh burst starts with the high lane.
      this.#turn = 0
      this.#credit = this.#weights[0]
    }
  }

  /** The next request to send: FIFO within a lane, weighted round robin between lanes. */
  shift (): N | null {
    if (this.#size === 0) return null
    for (;;) {
      const list = this.#lanes[this.#turn]
      if (list.head !== null && this.#credit > 0) {
        this.#credit--
        const n = list.head as N
        this.remove(n)
        return n
      }
      this.#turn = (this.#turn + 1) % LANES.length
      this.#credit = this.#weights[this.#turn]
    }
  }

  /** The newest request of the least important lane that is less important than `lane`: who makes room when the
   * queue is full and a more important request arrives. */
  victimFor (lane: Lane): N | null {
    for (let i = LANES.length - 1; i > lane; i--) {
      const tail = this.#lanes[i].tail
      if (tail !== null) return tail as N
    }
    return null
  }
}
