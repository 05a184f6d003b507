// Minimal inline-SVG charts for the self-contained HTML report (no scripts, no network).

export interface Series {
  label: string
  color: string
  dashed?: boolean
  points: Array<[number, number]>
}

export interface ChartOptions {
  title: string
  xLabel: string
  yLabel: string
  logX?: boolean
  width?: number
  height?: number
  bars?: boolean
  /** Custom tick labels for the x axis (value, text). */
  xTicks?: Array<[number, string]>
}

const esc = (s: string): string => s.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`)

export function chart (series: Series[], o: ChartOptions): string {
  const W = o.width ?? 760
  const H = o.height ?? 280
  const m = { l: 60, r: 16, t: 28, b: 42 }
  const all = series.flatMap(s => s.points)
  if (all.length === 0) return `<p>${esc(o.title)}: no data</p>`
  const fx = (x: number): number => o.logX === true ? Math.log10(Math.max(x, 1e-3)) : x
  const xs = all.map(p => fx(p[0]))
  const x0 = Math.min(...xs)
  const x1 = Math.max(...xs) === x0 ? x0 + 1 : Math.max(...xs)
  const y1 = niceMax(Math.max(...all.map(p => p[1])))
  const px = (x: number): number => m.l + (fx(x) - x0) / (x1 - x0) * (W - m.l - m.r)
  const py = (y: number): number => H - m.b - y / y1 * (H - m.t - m.b)
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">`]
  parts.push(`<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(o.title)}</text>`)
  for (let i = 0; i <= 4; i++) {
    const y = y1 * i / 4
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end" font-size="11">${fmt(y)}</text>`)
  }
  const ticks = o.xTicks ?? defaultTicks(series, o.logX === true)
  for (const [v, label] of ticks) {
    parts.push(`<text x="${px(v)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${esc(label)}</text>`)
  }
  parts.push(`<text x="${W / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${esc(o.xLabel)}</text>`,
    `<text x="14" y="${H / 2}" text-anchor="middle" font-size="11" transform="rotate(-90 14 ${H / 2})">${esc(o.yLabel)}</text>`,
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#888"/><line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#888"/>`)
  series.forEach((s, si) => {
    if (o.bars === true) {
      const n = series.length
      const bw = Math.max(2, (W - m.l - m.r) / Math.max(1, s.points.length) / n - 1)
      for (const [x, y] of s.points) {
        parts.push(`<rect x="${px(x) + si * bw - (n * bw) / 2}" y="${py(y)}" width="${bw}" height="${H - m.b - py(y)}" fill="${s.color}" opacity="0.8"><title>${fmt(x)}: ${fmt(y)}</title></rect>`)
      }
    } else {
      const d = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join('')
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed === true ? ' stroke-dasharray="5 3"' : ''}/>`)
    }
    parts.push(`<rect x="${m.l + 8 + si * 150}" y="${m.t}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${m.l + 22 + si * 150}" y="${m.t + 9}" font-size="11">${esc(s.label)}</text>`)
  })
  parts.push('</svg>')
  return parts.join('\n')
}

function defaultTicks (series: Series[], logX: boolean): Array<[number, string]> {
  const xs = series.flatMap(s => s.points.map(p => p[0]))
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  if (logX) {
    const out: Array<[number, string]> = []
    for (let v = Math.pow(10, Math.floor(Math.log10(Math.max(lo, 1e-3)))); v <= hi * 1.0001; v *= 10) out.push([v, fmt(v)])
    return out
  }
  const step = niceMax((hi - lo) / 6)
  const out: Array<[number, string]> = []
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push([v, fmt(v)])
  return out
}

function niceMax (v: number): number {
  if (v <= 0) return 1
  const p = Math.pow(10, Math.floor(Math.log10(v)))
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= v) return k * p
  return 10 * p
}

function fmt (v: number): string {
  if (v >= 1000) return `${+(v / 1000).toFixed(1)}k`
  if (v >= 10 || Number.isInteger(v)) return String(Math.round(v))
  return String(+v.toFixed(2))
}
