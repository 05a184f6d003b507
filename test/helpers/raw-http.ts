// Sends bytes exactly as written (HTTP clients normalise headers like Connection), returns the raw response text.
import { connect } from 'node:net'

export function rawRequest (port: number, text: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port })
    let out = ''
    sock.setTimeout(timeoutMs, () => { sock.destroy(); reject(new Error(`no complete answer within ${timeoutMs} ms: ${out}`)) })
    sock.on('data', (c: Buffer) => { out += c.toString('latin1') })
    sock.on('end', () => resolve(out))
    sock.on('error', reject)
    sock.write(text.replace(/\n/g, '\r\n'))
  })
}
