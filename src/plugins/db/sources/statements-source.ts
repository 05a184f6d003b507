// A given list of statements as a workload (the bench, tests, or a file an operator collected): each counts once
// with the time it took when it was measured.
import { isWorkloadStatement } from '../normalize.js'
import { ShapeBook } from '../shape-book.js'
import type { SourceResult, WorkloadSource } from '../types.js'

export interface GivenStatement {
  sql: string
  schema: string
  ms: number
  rowsExamined?: number
}

export class StatementsSource implements WorkloadSource {
  readonly name = 'statements' as const
  readonly #statements: readonly GivenStatement[]
  readonly #maxShapes: number

  constructor (statements: readonly GivenStatement[], maxShapes = 200) {
    this.#statements = statements
    this.#maxShapes = maxShapes
  }

  async collect (): Promise<SourceResult> {
    const book = new ShapeBook('statements')
    for (const s of this.#statements) {
      if (!isWorkloadStatement(s.sql)) continue
      book.add({ sql: s.sql, schema: s.schema, count: 1, totalMs: s.ms, rowsExamined: s.rowsExamined ?? null, rowsSent: null })
    }
    const shapes = book.shapes(this.#maxShapes)
    return { report: { source: 'statements', available: true, reason: null, enable: null, shapes: shapes.length }, shapes }
  }
}
