// The PHP scripts the sidecar's `http` job handler calls: `POST /jobs/<type>.php` with the job's payload as JSON,
// signed (X-Sidecar-Timestamp + X-Sidecar-Signature) and carrying X-Sidecar-Job-Id / -Attempt. Delivery is
// at-least-once, so a script skips a job id it already did (as PHP would with a `processed_jobs` table).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { verify } from '../../src/plugins/jobs/signature.js'

const MAX_BODY = 256 * 1024
/** Job ids remembered for deduplication (a PHP table would keep them; this stand-in keeps the last ones). */
const REMEMBER = 10_000
/** How long each script "works". */
const WORK_MS: Record<string, number> = { generate_report: 800, sync_inventory: 300, cleanup: 200 }
const DEFAULT_WORK_MS = 60

export interface JobCallbacks {
  handle(req: IncomingMessage, res: ServerResponse, path: string): void
  /** Jobs done, by type (duplicates not counted). */
  readonly done: Map<string, number>
}

function send (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

export function jobCallbacks (secret: string): JobCallbacks {
  const seen = new Set<string>()
  const done = new Map<string, number>()
  const handle = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const type = /^\/jobs\/([a-z_]+)\.php$/.exec(path)?.[1]
    if (type === undefined || req.method !== 'POST') { req.resume(); send(res, 404, { error: 'no such job script' }); return }
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => { size += c.length; if (size <= MAX_BODY) chunks.push(c) })
    req.on('end', () => {
      if (size > MAX_BODY) { send(res, 413, { error: 'payload too large' }); return }
      const body = Buffer.concat(chunks)
      const ts = String(req.headers['x-sidecar-timestamp'] ?? '')
      const sig = String(req.headers['x-sidecar-signature'] ?? '')
      if (secret !== '' && (!verify(secret, ts, body, sig) || Math.abs(Date.now() / 1000 - Number(ts)) > 300)) {
        send(res, 401, { error: 'bad signature' })
        return
      }
      const id = String(req.headers['x-sidecar-job-id'] ?? '')
      if (seen.has(id)) { send(res, 200, { type, id, duplicate: true }); return }
      setTimeout(() => {
        seen.add(id)
        if (seen.size > REMEMBER) seen.delete(seen.values().next().value as string)
        done.set(type, (done.get(type) ?? 0) + 1)
        send(res, 200, { type, id, attempt: Number(req.headers['x-sidecar-job-attempt'] ?? 1), payload: JSON.parse(body.toString() || '{}') as unknown })
      }, WORK_MS[type] ?? DEFAULT_WORK_MS)
    })
  }
  return { handle, done }
}
