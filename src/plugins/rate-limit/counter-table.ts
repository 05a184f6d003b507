// The memory store's counters, packed: one Map from id to a row number, and the TATs of every row in one
// Float64Array (a column per tier). Measured with 50,000 client IPs (bench/hot-path rl-memory): an entry of objects
// (the BoundedMap entry, a Counters object, its names and TATs arrays) is five heap objects per id that every
// mark-compact walks and every lookup chases through cache misses; here an id costs its key string and a Smi in the
// Map, and its counters are read and written in place without allocating.
// Bounded like BoundedMap: when full, the oldest id goes, except that one still live (its `until`, the latest TAT
// of its row, in the future) gets a second chance at the back of the queue, SECOND_CHANCES times at most.

/** Rows the table starts with; it doubles up to its cap, so a large `memoryKeys` costs nothing until used. */
const INITIAL_ROWS = 1024

export class CounterTable {
  readonly #max: number
  readonly #rows = new Map<string, number>()
  /** Row to id (to drop an evicted id from #rows). */
  #ids: (string | undefined)[] = []
  /** `row * #stride + column`: the TAT of that tier's counter, NaN when the id has none for it. */
  #tats: Float64Array
  /** Per row: the latest TAT, when every counter of the id is full again. */
  #until: Float64Array
  #stride = 1
  #capacity: number
  /** Tier names by column (a tier's name is unique among the tiers of a config). */
  readonly #columns: string[] = []
  /** Rows in insertion order, oldest at `#tail` (a ring once the table is full). */
  #ring: Int32Array
  #tail = 0
  /** Rows handed out (they are never freed, only given to another id). */
  #next = 0

  static readonly SECOND_CHANCES = 8

  constructor (max: number) {
    this.#max = max
    this.#capacity = Math.min(max, INITIAL_ROWS)
    this.#tats = new Float64Array(this.#capacity).fill(NaN)
    this.#until = new Float64Array(this.#capacity)
    this.#ring = new Int32Array(this.#capacity)
  }

  /** Ids held. */
  get size (): number {
    return this.#rows.size
  }

  /** The id's row, -1 when it has none. */
  row (id: string): number {
    return this.#rows.get(id) ?? -1
  }

  /** Whether `row` is (still) the id's. */
  holds (row: number, id: string): boolean {
    return this.#ids[row] === id
  }

  /** The column of tier `name`, added (for every row) the first time a tier is seen. */
  column (name: string): number {
    const cols = this.#columns
    for (let i = 0; i < cols.length; i++) if (cols[i] === name) return i
    cols.push(name)
    if (cols.length > this.#stride) this.#resize(this.#capacity, cols.length)
    return cols.length - 1
  }

  /** The TAT of `row`'s counter in `column`, NaN when it has none. */
  tat (row: number, column: number): number {
    return this.#tats[row * this.#stride + column]
  }

  setTat (row: number, column: number, tat: number): void {
    this.#tats[row * this.#stride + column] = tat
    if (tat > this.#until[row]) this.#until[row] = tat
  }

  /** A row for a new id (no counters yet); when full, the row of the id evicted for it. */
  add (id: string, now: number): number {
    let row: number
    if (this.#next < this.#max) {
      if (this.#next === this.#capacity) this.#resize(Math.min(this.#max, this.#capacity * 2), this.#stride)
      row = this.#next++
      this.#ring[row] = row
    } else {
      row = this.#evict(now)
      this.#ring[(this.#tail + this.#max - 1) % this.#max] = row
      const s = this.#stride
      this.#tats.fill(NaN, row * s, row * s + s)
    }
    this.#ids[row] = id
    this.#until[row] = -Infinity
    this.#rows.set(id, row)
    return row
  }

  /** Ids with their counters by tier name (tests and operator listings; not for the hot path). */
  * entries (): IterableIterator<[string, Record<string, number>]> {
    for (const [id, row] of this.#rows) {
      const counters: Record<string, number> = {}
      for (let c = 0; c < this.#columns.length; c++) {
        const tat = this.tat(row, c)
        if (!Number.isNaN(tat)) counters[this.#columns[c]] = tat
      }
      yield [id, counters]
    }
  }

  /** Takes the ring's tail: the oldest row, or after second chances for live ones the oldest expired within them;
   * the ring then has one free place at its back, for the caller's row. */
  #evict (now: number): number {
    const max = this.#max
    for (let chances = CounterTable.SECOND_CHANCES; ; chances--) {
      const row = this.#ring[this.#tail]
      this.#tail = (this.#tail + 1) % max
      if (chances > 0 && this.#until[row] > now) {
        // Back of the queue: the place just freed at the tail is the ring's last one.
        this.#ring[(this.#tail + max - 1) % max] = row
        continue
      }
      this.#rows.delete(this.#ids[row] as string)
      return row
    }
  }

  #resize (capacity: number, stride: number): void {
    const tats = new Float64Array(capacity * stride).fill(NaN)
    const old = this.#tats
    const os = this.#stride
    for (let r = 0; r < this.#next; r++) tats.set(old.subarray(r * os, r * os + os), r * stride)
    this.#tats = tats
    this.#stride = stride
    if (capacity !== this.#capacity) {
      const until = new Float64Array(capacity)
      until.set(this.#until)
      this.#until = until
      const ring = new Int32Array(capacity)
      ring.set(this.#ring)
      this.#ring = ring
      this.#capacity = capacity
    }
  }
}
