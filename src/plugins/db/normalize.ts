// Query shapes: the same statement with other literals is the same shape. A small tokenizer rather than the SQL
// parser, so statements the parser can't read are still counted, and so it costs little per processlist sample.
import { createHash } from 'node:crypto'

/** Marks the sidecar's own statements so no source counts them as workload. */
export const OWN_MARKER = '/* sipup-sidecar */'

const MAX_SHAPE_CHARS = 4096

function isIdentStart (c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128
}

function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}

function isSpace (c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13
}

/**
 * Replaces literals (strings, numbers, hex, booleans are kept as words) with `?`, folds `IN (?, ?, ...)` to
 * `IN (?)` and repeated `VALUES (...)` rows to one, drops comments and collapses whitespace. Keywords are
 * upper-cased; identifiers keep their case (MySQL table names may be case-sensitive).
 */
export function normalizeSql (sql: string): string {
  const out: string[] = []
  const n = sql.length
  let i = 0
  while (i < n) {
    const c = sql.charCodeAt(i)
    if (isSpace(c)) { i++; continue }
    // Comments: -- to end of line, # to end of line, /* ... */ (optimizer hints /*+ are dropped too).
    if ((c === 45 && sql.charCodeAt(i + 1) === 45) || c === 35) {
      while (i < n && sql.charCodeAt(i) !== 10) i++
      continue
    }
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const end = sql.indexOf('*/', i + 2)
      i = end === -1 ? n : end + 2
      continue
    }
    if (c === 39 || c === 34) { // 'string' or "string"
      i++
      while (i < n) {
        const d = sql.charCodeAt(i)
        if (d === 92) { i += 2; continue }
        if (d === c) {
          if (sql.charCodeAt(i + 1) === c) { i += 2; continue }
          break
        }
        i++
      }
      i++
      out.push('?')
      continue
    }
    if (c === 96) { // `identifier`
      const end = sql.indexOf('`', i + 1)
      const stop = end === -1 ? n : end + 1
      out.push(sql.slice(i, stop))
      i = stop
      continue
    }
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      // Numbers, 0x.. hex, 1e5; a digit run glued to letters (t1) was consumed as an identifier below.
      i++
      while (i < n) {
        const d = sql.charCodeAt(i)
        if (isDigit(d) || d === 46 || isIdentStart(d) || ((d === 43 || d === 45) && (sql.charCodeAt(i - 1) | 32) === 101)) i++
        else break
      }
      const prev = out[out.length - 1]
      // A sign directly before a number in an operand position is part of the literal.
      if ((prev === '-' || prev === '+') && isOperandPosition(out[out.length - 2])) out.pop()
      out.push('?')
      continue
    }
    if (isIdentStart(c)) {
      let j = i + 1
      while (j < n && (isIdentStart(sql.charCodeAt(j)) || isDigit(sql.charCodeAt(j)))) j++
      const word = sql.slice(i, j)
      // X'..' and B'..' literals.
      if ((word === 'x' || word === 'X' || word === 'b' || word === 'B') && sql.charCodeAt(j) === 39) {
        const end = sql.indexOf("'", j + 1)
        i = end === -1 ? n : end + 1
        out.push('?')
        continue
      }
      const upper = word.toUpperCase()
      out.push(KEYWORDS.has(upper) ? upper : word)
      i = j
      continue
    }
    if (c === 63) { out.push('?'); i++; continue }
    // Operators: keep two-char ones together.
    const two = sql.slice(i, i + 2)
    if (two === '<=' || two === '>=' || two === '<>' || two === '!=' || two === ':=' || two === '||' || two === '&&') {
      out.push(two === '!=' ? '<>' : two)
      i += 2
      continue
    }
    if (sql.slice(i, i + 3) === '<=>') { out.push('<=>'); i += 3; continue }
    out.push(sql[i])
    i++
  }
  return tidy(foldLists(out).join(' ')).slice(0, MAX_SHAPE_CHARS)
}

function tidy (joined: string): string {
  return joined.replace(/ ,/g, ',').replace(/\( /g, '(').replace(/ \)/g, ')').replace(/ \. /g, '.').replace(/ ;$/, '')
}

function isOperandPosition (token: string | undefined): boolean {
  return token === undefined || token === '(' || token === ',' || token === '=' || token === '<' || token === '>' ||
    token === '<=' || token === '>=' || token === '<>' || KEYWORDS.has(token)
}

/** `( ? , ? , ? )` → `( ? )`, and `VALUES ( ? ) , ( ? )` → `VALUES ( ? )`. */
function foldLists (tokens: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]
    if (t === '(' && tokens[i + 1] === '?') {
      let j = i + 1
      while (tokens[j] === '?' && tokens[j + 1] === ',') j += 2
      if (tokens[j] === '?' && tokens[j + 1] === ')') {
        out.push('(', '?', ')')
        i = j + 1
        // Repeated row tuples of a multi-row INSERT.
        while (tokens[i + 1] === ',' && tokens[i + 2] === '(' && tokens[i + 3] === '?') {
          let k = i + 3
          while (tokens[k] === '?' && tokens[k + 1] === ',') k += 2
          if (tokens[k] === '?' && tokens[k + 1] === ')') i = k + 1
          else break
        }
        continue
      }
    }
    out.push(t)
  }
  return out
}

export function fingerprintOf (normalized: string): string {
  return createHash('sha256').update(normalized).digest('hex').slice(0, 16)
}

/** The first keyword: SELECT, UPDATE, DELETE, INSERT... (WITH counts as SELECT). */
export function statementKind (normalized: string): string {
  const m = /^\(*\s*([A-Z]+)/.exec(normalized)
  const k = m?.[1] ?? ''
  return k === 'WITH' ? 'SELECT' : k
}

/** Statements a workload source keeps: data statements, not the sidecar's own, not session chatter. */
export function isWorkloadStatement (sql: string): boolean {
  if (sql.includes(OWN_MARKER)) return false
  const head = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*\(*\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase()
  return head === 'SELECT' || head === 'UPDATE' || head === 'DELETE' || head === 'INSERT' || head === 'REPLACE' || head === 'WITH'
}

const KEYWORDS = new Set(('SELECT FROM WHERE AND OR NOT IN IS NULL LIKE BETWEEN EXISTS JOIN INNER LEFT RIGHT OUTER CROSS ' +
  'STRAIGHT_JOIN NATURAL ON USING GROUP BY ORDER ASC DESC HAVING LIMIT OFFSET UNION ALL DISTINCT AS CASE WHEN THEN ' +
  'ELSE END INSERT INTO VALUES VALUE UPDATE SET DELETE REPLACE WITH FOR SHARE LOCK MODE TRUE FALSE INTERVAL DAY HOUR ' +
  'MINUTE SECOND MONTH YEAR WEEK COUNT SUM AVG MIN MAX FORCE USE IGNORE INDEX KEY SQL_NO_CACHE SQL_CALC_FOUND_ROWS ' +
  'DUPLICATE REGEXP RLIKE DIV MOD XOR ESCAPE COLLATE BINARY CAST CONVERT').split(' '))
