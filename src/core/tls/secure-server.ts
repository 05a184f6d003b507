// The TLS side of the listening server: options from server.tls, SNI picking among the loaded certificates, and a
// reload that swaps certificates for new handshakes while open connections keep the ones they negotiated.
import type tls from 'node:tls'
import { loadTlsMaterial, pickCertificate, type TlsConfig, type TlsMaterial } from './material.js'

const kTlsState = Symbol('sipup.tlsState')

export class TlsState {
  #config: TlsConfig
  #material: TlsMaterial

  constructor (config: TlsConfig, material: TlsMaterial = loadTlsMaterial(config)) {
    this.#config = config
    this.#material = material
  }

  get material (): TlsMaterial { return this.#material }

  /** Options for https/http2.createSecureServer. */
  serverOptions (): tls.TlsOptions {
    return {
      ...this.#material.defaultOptions,
      minVersion: this.#config.minVersion,
      ciphers: this.#config.ciphers,
      honorCipherOrder: false,
      SNICallback: (servername, cb) => {
        const c = pickCertificate(this.#material.certificates, servername)
        // undefined: the server's default context (the first certificate).
        cb(null, c === null ? undefined : c.context)
      }
    }
  }

  /** Re-reads the files; on success new handshakes use them. Throws (keeping the old ones) when a file is bad. */
  reload (server: tls.Server): TlsMaterial {
    const next = loadTlsMaterial(this.#config)
    server.setSecureContext({ ...next.defaultOptions, minVersion: this.#config.minVersion, ciphers: this.#config.ciphers })
    this.#material = next
    return next
  }
}

export function attachTlsState (server: object, state: TlsState): void {
  (server as { [kTlsState]?: TlsState })[kTlsState] = state
}

/** The TLS state of a server sidecarServerFactory made, or null for plain HTTP. */
export function tlsStateOf (server: object): TlsState | null {
  return (server as { [kTlsState]?: TlsState })[kTlsState] ?? null
}

/** Re-reads server.tls's certificates of a running server (SIGHUP). Null for plain HTTP. */
export function reloadCertificates (server: tls.Server): TlsMaterial | null {
  const state = tlsStateOf(server)
  return state === null ? null : state.reload(server)
}
