// Reads values out of Prometheus text exposition for assertions (not a test file: no .test.ts suffix).

interface Sample { name: string, labels: Record<string, string>, value: number }

export function parseSamples (text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
    out.push({ name: m[1], labels, value: Number(m[3]) })
  }
  return out
}

/** Sum of the samples of `name` whose labels include `labels`. */
export function sample (text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const s of parseSamples(text)) {
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value
  }
  return sum
}

/** Number of distinct series of `name`. */
export function seriesCount (text: string, name: string): number {
  return parseSamples(text).filter(s => s.name === name).length
}
