// Whether a pass-through response is compressed, and how: decided once per response from the request and the
// headers going to the client, cheapest checks first. Built once at start-up from proxy.compression.
import type { IncomingHttpHeaders } from 'node:http'
import { CODINGS, EncodingChooser, IDENTITY, typeMatcher, varyWithAcceptEncoding, type Encoding } from '../../core/content-coding.js'
import type { ProxyCompressionConfig } from './schema.js'
import type { DeepReadonly } from '../../config/deep-readonly.js'
import { CompressedMemo } from './memo.js'
import { Codecs } from './codecs.js'

export type ResponseHeaders = Record<string, string | string[]>

export interface CompressionParams {
  readonly minSize: number
  readonly brotliQuality: number
  readonly gzipLevel: number
  /** The zlib options, built once. */
  readonly codecs: Codecs
  /** Compressed bodies of recent identity bodies (src/proxy/compression/memo.ts); null when proxy.compression.memo is off. */
  readonly memo: CompressedMemo | null
}

/** Null when the response goes out as the origin sent it; otherwise the coding, and whether its size is unknown yet. */
export interface Decision {
  readonly encoding: Encoding
  /** No Content-Length: the size is judged from the first chunks (src/proxy/compression/encoder.ts). */
  readonly sizeUnknown: boolean
}

const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i

export class CompressionPolicy {
  readonly params: CompressionParams
  readonly #chooser: EncodingChooser
  readonly #compressible: (contentType: string | string[] | undefined) => boolean

  constructor (cfg: DeepReadonly<ProxyCompressionConfig>) {
    this.params = {
      minSize: cfg.minSize,
      brotliQuality: cfg.brotliQuality,
      gzipLevel: cfg.gzipLevel,
      codecs: new Codecs(cfg),
      memo: cfg.memo.enabled ? CompressedMemo.create({ entries: cfg.memo.entries, maxBytes: cfg.memo.maxBytes }) : null
    }
    this.#chooser = new EncodingChooser(cfg.encodings.map(name => CODINGS[name]))
    this.#compressible = typeMatcher(cfg.types)
  }

  /** Null when proxy.compression is off or offers no coding, so the forward path tests one field. */
  static create (cfg: DeepReadonly<ProxyCompressionConfig>): CompressionPolicy | null {
    return cfg.enabled && cfg.encodings.length > 0 ? new CompressionPolicy(cfg) : null
  }

  /**
   * Decides for one response. Adds `Vary: Accept-Encoding` to `headers` whenever the answer depended on the
   * client's Accept-Encoding (also when it gets identity), so caches downstream keep the variants apart.
   */
  decide (method: string | undefined, req: IncomingHttpHeaders, status: number, headers: ResponseHeaders): Decision | null {
    if (method === 'HEAD' || status < 200 || status === 204 || status === 206 || status === 304) return null
    const encoding = headers['content-encoding']
    if (encoding !== undefined && encoding !== 'identity') return null
    if (headers['content-range'] !== undefined || req.range !== undefined) return null
    if (!this.#compressible(headers['content-type'])) return null
    const cc = headers['cache-control']
    if (cc !== undefined && NO_TRANSFORM.test(Array.isArray(cc) ? cc.join(',') : cc)) return null
    const len = headers['content-length']
    if (len !== undefined && !(Number(len) >= this.params.minSize)) return null
    headers.vary = varyWithAcceptEncoding(headers.vary)
    const chosen = this.#chooser.pick(req['accept-encoding'])
    if (chosen === IDENTITY) return null
    return { encoding: chosen, sizeUnknown: len === undefined }
  }
}
