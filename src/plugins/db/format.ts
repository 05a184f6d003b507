// Numbers for people: the CLI's text output, the report and error messages.

export function formatBytes (n: number): string {
  if (!Number.isFinite(n)) return '?'
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++ }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`
}

export function formatMs (ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '–'
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`
}

export function formatCount (n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '?'
  return Math.round(n).toLocaleString('en-US')
}

export function formatRatio (r: number | null): string {
  return r === null || !Number.isFinite(r) ? '–' : `${r.toFixed(r >= 10 ? 0 : 1)}x`
}
