// The slow query log file, as MariaDB and MySQL write it: `# Time:`, `# User@Host:`, `# Query_time: ...` header
// lines (MariaDB adds `# Thread_id: .. Schema: ..`), then `use db;`, `SET timestamp=N;` and the statement up to
// the next header. The server's start-up banner lines between entries are skipped.

export interface SlowLogEntry {
  /** Unix seconds from `SET timestamp=`, or null. */
  timestamp: number | null
  schema: string | null
  queryMs: number
  rowsSent: number | null
  rowsExamined: number | null
  sql: string
}

const BANNER = /^(?:\S+, Version: .* started with:|Tcp port: |Time\s+Id\s+Command\s+Argument)/

function numberAfter (line: string, label: string): number | null {
  const m = new RegExp(`${label}:\\s*([\\d.]+)`).exec(line)
  return m === null ? null : Number(m[1])
}

export function parseSlowLog (text: string): SlowLogEntry[] {
  const out: SlowLogEntry[] = []
  let schema: string | null = null
  let cur: SlowLogEntry | null = null
  let body: string[] = []
  let inHeader = false
  const flush = (): void => {
    if (cur !== null) {
      const sql = body.join('\n').trim().replace(/;\s*$/, '')
      if (sql !== '') out.push({ ...cur, schema: cur.schema ?? schema, sql })
    }
    cur = null
    body = []
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('# ')) {
      if (!inHeader) { flush(); inHeader = true }
      if (line.startsWith('# Time:') || line.startsWith('# User@Host:')) {
        cur ??= { timestamp: null, schema: null, queryMs: 0, rowsSent: null, rowsExamined: null, sql: '' }
      }
      cur ??= { timestamp: null, schema: null, queryMs: 0, rowsSent: null, rowsExamined: null, sql: '' }
      const s = /\bSchema:\s*(\S+)/.exec(line)
      if (s !== null) cur.schema = s[1]
      const q = numberAfter(line, 'Query_time')
      if (q !== null) cur.queryMs = q * 1000
      const sent = numberAfter(line, 'Rows_sent')
      if (sent !== null) cur.rowsSent = sent
      const ex = numberAfter(line, 'Rows_examined')
      if (ex !== null) cur.rowsExamined = ex
      continue
    }
    inHeader = false
    if (BANNER.test(line)) { flush(); continue }
    const use = /^use\s+`?([^`;\s]+)`?;\s*$/i.exec(line)
    if (use !== null) {
      schema = use[1]
      if (cur !== null && cur.schema === null) cur.schema = schema
      continue
    }
    const ts = /^SET timestamp=(\d+);\s*$/.exec(line)
    if (ts !== null) {
      if (cur !== null) cur.timestamp = Number(ts[1])
      continue
    }
    if (cur !== null) body.push(line)
  }
  flush()
  return out
}
