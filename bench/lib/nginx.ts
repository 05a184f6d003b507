// nginx as the benches' yardstick (bench/passthrough, scale, hot-path, edge): one config shape, so every bench
// compares the sidecar with the same nginx (keep-alive upstream pool, access log off, temp paths in a private dir).
// Keep-alive is unlimited on both sides, like the sidecar's (server.maxRequestsPerSocket 0, undici's pool):
// - nginx's keepalive_requests defaults to 1000 and, since 1.19.7, also bounds an HTTP/2 connection. A client
//   connection is closed (GOAWAY for h2) after 1000 requests. h2load does not reconnect, so its clients stop one
//   by one and it reported 0 req/s for nginx's cache hit (the 32,000 allowed requests were used up in the warm-up).
//   wrk reconnects, so HTTP/1.1 paid an extra handshake every 1000 requests instead.
// - `keepalive` is how many idle origin connections a worker keeps, not a cap. With 64, h2load's 320 streams in
//   flight made nginx open and close an origin connection for most pass-through requests (thousands in TIME_WAIT,
//   single requests taking 1.2 s). 1024 keeps every connection it opens.
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stopProcess, type Started } from './processes.js'

export interface NginxOptions {
  /** A directory of the bench's own: nginx gets a fresh one below it. */
  dir: string
  port: number
  upstreamPort: number
  /** @default 1 */
  workers?: number
  /** `proxy_cache` every 200 for an hour, whatever the origin's headers say (the sidecar's hit path's yardstick). */
  cache?: boolean
  /** TLS with this certificate and key, and HTTP/2 on the same port. */
  tls?: { cert: string, key: string }
  /** `gzip on` for these types from minLength bytes, at this level (the sidecar's proxy.compression yardstick; nginx
   * has no brotli without the ngx_brotli module). */
  gzip?: { level: number, types: string[], minLength: number }
}

/** The nginx binary, or null when nginx is not installed (the bench says so and skips it). */
export function nginxBinary (): string | null {
  return ['/usr/sbin/nginx', '/usr/bin/nginx'].find(p => existsSync(p)) ?? null
}

/** Starts nginx in front of 127.0.0.1:upstreamPort; null when nginx is missing. */
export function startNginx (o: NginxOptions): Started | null {
  const bin = nginxBinary()
  if (bin === null) return null
  const d = mkdtempSync(join(o.dir, 'nginx-'))
  // Started as root, nginx's workers run as `nobody`: they must reach their temp and cache directories.
  chmodSync(o.dir, 0o755)
  chmodSync(d, 0o755)
  const cache = o.cache === true
    ? 'proxy_cache hits; proxy_cache_valid 200 1h; proxy_ignore_headers Cache-Control Expires Set-Cookie; proxy_hide_header Set-Cookie;'
    : ''
  // `listen … ssl http2`: Debian 12's nginx 1.22 predates the `http2 on` directive.
  const listen = o.tls === undefined ? `listen 127.0.0.1:${o.port};` : `listen 127.0.0.1:${o.port} ssl http2;
    ssl_certificate ${o.tls.cert}; ssl_certificate_key ${o.tls.key}; ssl_protocols TLSv1.2 TLSv1.3;`
  // gzip_proxied any: compress whatever the origin sent (nginx skips requests with a Via header by default).
  const gzip = o.gzip === undefined ? '' : `gzip on; gzip_comp_level ${o.gzip.level}; gzip_min_length ${o.gzip.minLength}; ` +
    `gzip_types ${o.gzip.types.join(' ')}; gzip_vary on; gzip_proxied any;`
  const conf = join(d, 'nginx.conf')
  writeFileSync(conf, `worker_processes ${o.workers ?? 1};
daemon off;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000; keepalive_timeout 75s;
  client_body_temp_path ${d}/body; proxy_temp_path ${d}/proxy; fastcgi_temp_path ${d}/fcgi; uwsgi_temp_path ${d}/uwsgi; scgi_temp_path ${d}/scgi;
  ${gzip}
  ${o.cache === true ? `proxy_cache_path ${d}/cache keys_zone=hits:10m;` : ''}
  upstream origin { server 127.0.0.1:${o.upstreamPort}; keepalive 1024; keepalive_requests 1000000; keepalive_timeout 120s; }
  server {
    ${listen}
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; ${cache} }
  }
}
`)
  execFileSync(bin, ['-t', '-c', conf, '-p', d], { stdio: 'ignore' })
  const child = spawn(bin, ['-c', conf, '-p', d], { stdio: 'ignore' })
  return { child, stop: () => stopProcess(child) }
}
