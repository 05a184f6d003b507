// Merges observations of statements into query shapes (one per fingerprint), bounded: a source that sees a
// million distinct statements keeps the most expensive `maxShapes` by total time.
import { fingerprintOf, normalizeSql } from './normalize.js'
import type { QueryShape, WorkloadSourceName } from './types.js'

export interface Observation {
  sql: string
  schema: string | null
  /** Executions this observation stands for (1 for a slow log entry, COUNT_STAR for a digest row). */
  count: number
  totalMs: number
  rowsExamined: number | null
  rowsSent: number | null
  /** A real statement to EXPLAIN, when `sql` itself is a digest text with placeholders. */
  sample?: string | null
}

export class ShapeBook {
  readonly #source: WorkloadSourceName
  readonly #shapes = new Map<string, QueryShape>()

  constructor (source: WorkloadSourceName) {
    this.#source = source
  }

  add (o: Observation): void {
    const text = normalizeSql(o.sql)
    const key = `${o.schema ?? ''}\0${text}`
    let s = this.#shapes.get(key)
    if (s === undefined) {
      s = {
        fingerprint: fingerprintOf(`${o.schema ?? ''}\0${text}`),
        text,
        schema: o.schema,
        sample: o.sample === undefined ? o.sql : o.sample,
        count: 0,
        totalMs: 0,
        rowsExamined: o.rowsExamined === null ? null : 0,
        rowsSent: o.rowsSent === null ? null : 0,
        sources: [this.#source]
      }
      this.#shapes.set(key, s)
    }
    s.count += o.count
    s.totalMs += o.totalMs
    if (s.rowsExamined !== null && o.rowsExamined !== null) s.rowsExamined += o.rowsExamined
    if (s.rowsSent !== null && o.rowsSent !== null) s.rowsSent += o.rowsSent
    if (s.sample === null && o.sample !== undefined && o.sample !== null) s.sample = o.sample
  }

  shapes (maxShapes: number): QueryShape[] {
    return [...this.#shapes.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, maxShapes)
  }
}

/** Shapes of several sources merged by fingerprint: counts and times add up only within one source (two sources
 * see the same executions), so the merged entry keeps the source with the larger total and lists both. */
export function mergeShapes (lists: QueryShape[][], maxShapes: number): QueryShape[] {
  const byFp = new Map<string, QueryShape>()
  for (const list of lists) {
    for (const s of list) {
      const have = byFp.get(s.fingerprint)
      if (have === undefined) { byFp.set(s.fingerprint, { ...s, sources: [...s.sources] }); continue }
      const sources = [...new Set([...have.sources, ...s.sources])]
      const keep = s.totalMs > have.totalMs ? { ...s } : have
      keep.sources = sources
      keep.sample = have.sample ?? s.sample
      byFp.set(s.fingerprint, keep)
    }
  }
  return [...byFp.values()].sort((a, b) => b.totalMs - a.totalMs).slice(0, maxShapes)
}
