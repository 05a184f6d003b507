// Number formatting shared by the text and HTML reports.

/** Milliseconds, without a unit: 0.42, 12.3, 456, 12,345. */
export function ms (v: number): string {
  if (v >= 100) return int(v)
  if (v >= 10) return v.toFixed(1)
  return v.toFixed(2)
}

export function int (v: number): string {
  return Math.round(v).toLocaleString('en-US')
}

export function pct (ratio: number, digits = 2): string {
  return `${(ratio * 100).toFixed(digits)}%`
}

export function ratio (v: number): string {
  return Number.isFinite(v) ? `${v.toFixed(2)}x` : '-'
}

export function rate (v: number): string {
  return v >= 100 ? int(v) : v.toFixed(1)
}

export function padTable (rows: string[][], alignRight: (col: number) => boolean = c => c > 0): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map(r => (r[c] ?? '').length)))
  return rows.map(r => r.map((cell, c) => alignRight(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])).join('  ').trimEnd())
}
