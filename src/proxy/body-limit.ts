// Enforces proxy.maxRequestBody on chunked uploads (no Content-Length to check up front) while streaming:
// the body is never buffered, it is counted on its way to the origin.
import { Transform, type TransformCallback } from 'node:stream'
import { SIPUP_ERR_REQUEST_BODY_TOO_LARGE } from '../errors.js'

export class BodyLimit extends Transform {
  readonly #max: number
  #seen = 0

  constructor (max: number) {
    super()
    this.#max = max
  }

  override _transform (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#seen += chunk.length
    if (this.#seen > this.#max) {
      cb(new SIPUP_ERR_REQUEST_BODY_TOO_LARGE(this.#max))
      return
    }
    cb(null, chunk)
  }
}
