// `{{user}}` and `{{rand 1 500}}` in scenario paths, headers and bodies, compiled once into parts.

export interface TemplateVars {
  /** 1-based virtual user number. */
  user: number
}

type Part = string | { kind: 'user' } | { kind: 'rand', min: number, max: number }

export interface Template {
  readonly constant: string | null
  render: (vars: TemplateVars) => string
}

const TOKEN_RE = /\{\{\s*([^}]*?)\s*\}\}/g

/** Throws a TypeError naming the bad placeholder; the caller adds the key path. */
export function compileTemplate (text: string): Template {
  const parts: Part[] = []
  let last = 0
  for (const m of text.matchAll(TOKEN_RE)) {
    if (m.index > last) parts.push(text.slice(last, m.index))
    parts.push(parsePlaceholder(m[1]))
    last = m.index + m[0].length
  }
  if (last < text.length) parts.push(text.slice(last))
  if (parts.every(p => typeof p === 'string')) {
    return { constant: text, render: () => text }
  }
  return {
    constant: null,
    render: vars => {
      let out = ''
      for (const p of parts) {
        if (typeof p === 'string') out += p
        else if (p.kind === 'user') out += String(vars.user)
        else out += String(p.min + Math.floor(Math.random() * (p.max - p.min + 1)))
      }
      return out
    }
  }
}

function parsePlaceholder (inner: string): Part {
  const words = inner.split(/\s+/)
  if (words.length === 1 && words[0] === 'user') return { kind: 'user' }
  if (words[0] === 'rand' && words.length === 3) {
    const min = Number(words[1])
    const max = Number(words[2])
    if (Number.isInteger(min) && Number.isInteger(max) && min <= max) return { kind: 'rand', min, max }
  }
  throw new TypeError(`unknown placeholder '{{${inner}}}'; expected {{user}} or {{rand MIN MAX}}`)
}
