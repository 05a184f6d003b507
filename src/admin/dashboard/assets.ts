// The dashboard's static files: its own script and stylesheet, and uPlot's from node_modules. Read once at
// registration (a few tens of KB) and served from memory with an ETag, so the admin works on an offline server.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { packageRoot } from '../../paths.js'

export interface Asset {
  body: Buffer
  type: string
  etag: string
}

const require = createRequire(import.meta.url)
// Plain browser JS/CSS, not compiled: the same files serve from src/ (tests) and from a built package.
const OWN = join(packageRoot, 'src', 'admin', 'dashboard', 'assets')

const FILES: Readonly<Record<string, { path: () => string, type: string }>> = {
  'dashboard.js': { path: () => join(OWN, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { path: () => join(OWN, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  'uplot.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' }
}

export async function loadAssets (): Promise<ReadonlyMap<string, Asset>> {
  const out = new Map<string, Asset>()
  await Promise.all(Object.entries(FILES).map(async ([name, f]) => {
    const body = await readFile(f.path())
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`
    out.set(name, { body, type: f.type, etag })
  }))
  return out
}
