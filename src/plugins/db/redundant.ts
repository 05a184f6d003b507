// Indexes that cost writes and buffer pool for nothing: exact duplicates, and non-unique indexes that are a left
// prefix of another (every lookup they serve, the longer one serves too). A unique index is never redundant to a
// longer one: its constraint is not implied. Pure over the catalog's IndexInfo.
import type { IndexColumn, IndexInfo } from './catalog.js'

export interface RedundantIndex {
  index: IndexInfo
  coveredBy: IndexInfo
  kind: 'duplicate' | 'left-prefix'
}

function sameColumn (a: IndexColumn, b: IndexColumn): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase() && a.subPart === b.subPart
}

/** `a`'s column is served by `b`'s: same column, and b indexes at least as much of it. */
function coveredColumn (a: IndexColumn, b: IndexColumn): boolean {
  if (a.name.toLowerCase() !== b.name.toLowerCase()) return false
  if (b.subPart === null) return true
  return a.subPart !== null && a.subPart <= b.subPart
}

/** Which of the two identical indexes to keep: primary, then unique, then the first by name. */
function keeps (a: IndexInfo, b: IndexInfo): boolean {
  if (a.primary !== b.primary) return a.primary
  if (a.unique !== b.unique) return a.unique
  return a.name.localeCompare(b.name) < 0
}

export function findRedundant (indexes: readonly IndexInfo[]): RedundantIndex[] {
  const live = indexes.filter(i => !i.ignored)
  const out: RedundantIndex[] = []
  for (const a of live) {
    if (a.primary) continue
    for (const b of live) {
      if (a === b) continue
      if (a.columns.length === b.columns.length && a.columns.every((c, i) => sameColumn(c, b.columns[i]))) {
        if (keeps(b, a)) { out.push({ index: a, coveredBy: b, kind: 'duplicate' }); break }
        continue
      }
      if (!a.unique && a.columns.length < b.columns.length && a.columns.every((c, i) => coveredColumn(c, b.columns[i]))) {
        out.push({ index: a, coveredBy: b, kind: 'left-prefix' })
        break
      }
    }
  }
  return out
}
