// php-fpm's pm.max_children: at most `size` requests run at once, the rest wait in arrival (FIFO) order.
// A waiter whose client went away is skipped when its turn comes, as nginx would have closed the FastCGI socket.

export interface WorkerPoolStats {
  inFlight: number
  queued: number
  peakInFlight: number
}

interface Waiter {
  start: () => void
  cancelled: boolean
}

export class WorkerPool {
  readonly stats: WorkerPoolStats = { inFlight: 0, queued: 0, peakInFlight: 0 }
  readonly #size: number
  // An array with a moving head instead of shift(): O(1) dequeue when thousands wait.
  #queue: Waiter[] = []
  #head = 0

  constructor (size: number) {
    this.#size = size
  }

  /** Calls `start` when a child is free; returns a cancel function for a client that disconnects while waiting. */
  acquire (start: () => void): () => void {
    if (this.stats.inFlight < this.#size) {
      this.#begin()
      start()
      return noop
    }
    const waiter: Waiter = { start, cancelled: false }
    this.#queue.push(waiter)
    this.stats.queued++
    return () => {
      if (waiter.cancelled) return
      waiter.cancelled = true
      this.stats.queued--
    }
  }

  release (): void {
    this.stats.inFlight--
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]
      this.#head++
      if (next.cancelled) continue
      next.cancelled = true
      this.stats.queued--
      this.#compact()
      this.#begin()
      next.start()
      return
    }
    this.#compact()
  }

  /** Drops every waiter (on shutdown). */
  clear (): void {
    for (let i = this.#head; i < this.#queue.length; i++) this.#queue[i].cancelled = true
    this.#queue = []
    this.#head = 0
    this.stats.queued = 0
  }

  #begin (): void {
    this.stats.inFlight++
    if (this.stats.inFlight > this.stats.peakInFlight) this.stats.peakInFlight = this.stats.inFlight
  }

  #compact (): void {
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head)
      this.#head = 0
    } else if (this.#head === this.#queue.length) {
      this.#queue = []
      this.#head = 0
    }
  }
}

function noop (): void {}
