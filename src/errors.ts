// Constructors whose last tuple entry is `ErrorOptions?` take `{ cause }` to wrap the underlying error.
// Every error sipup-sidecar throws or sends has a stable code, created once here.
// Never reuse a retired code. docs/errors.md documents each one (test/errors-docs.test.ts keeps them in step, and
// fails on a SIPUP_ERR_ code used anywhere in src/ that is not defined here).
import createError from '@fastify/error'

/** createError, plus the code and status on the constructor itself, so an answer can name them without building an
 * error (and a stack) per request: `problem(SIPUP_ERR_X, detail)`. */
function coded<C extends string, SC extends number, A extends unknown[]> (code: C, message: string, statusCode: SC,
  Base?: ErrorConstructor) {
  return Object.assign(createError<C, SC, A>(code, message, statusCode, Base), { code, statusCode })
}

// --- config -----------------------------------------------------------------
export const SIPUP_ERR_CONFIG_INVALID = coded<'SIPUP_ERR_CONFIG_INVALID', 500, [string]>(
  'SIPUP_ERR_CONFIG_INVALID', 'Invalid configuration:\n%s', 500, TypeError)
export const SIPUP_ERR_CONFIG_FILE = coded<'SIPUP_ERR_CONFIG_FILE', 500, [string, string, ErrorOptions?]>(
  'SIPUP_ERR_CONFIG_FILE', "%s: cannot read config file: '%s'", 500, TypeError)
export const SIPUP_ERR_CONFIG_YAML = coded<'SIPUP_ERR_CONFIG_YAML', 500, [string, string, ErrorOptions?]>(
  'SIPUP_ERR_CONFIG_YAML', '%s: YAML syntax error: %s', 500, TypeError)
export const SIPUP_ERR_REDIS_CONFIG = coded<'SIPUP_ERR_REDIS_CONFIG', 500, [string, string, string]>(
  'SIPUP_ERR_REDIS_CONFIG', "redis.%s: expected %s, got '%s'", 500, TypeError)

// --- tls ------------------------------------------------------------------
export const SIPUP_ERR_TLS_CONFIG = coded<'SIPUP_ERR_TLS_CONFIG', 500, [string, string, string, ErrorOptions?]>(
  'SIPUP_ERR_TLS_CONFIG', "server.tls.%s: '%s': %s", 500, TypeError)

// --- proxy / upstream -------------------------------------------------------
export const SIPUP_ERR_UPSTREAM_UNAVAILABLE = coded<'SIPUP_ERR_UPSTREAM_UNAVAILABLE', 502, [string]>(
  'SIPUP_ERR_UPSTREAM_UNAVAILABLE', 'Upstream unavailable: %s', 502)
export const SIPUP_ERR_UPSTREAM_TIMEOUT = coded<'SIPUP_ERR_UPSTREAM_TIMEOUT', 504, [string]>(
  'SIPUP_ERR_UPSTREAM_TIMEOUT', 'Upstream timed out: %s', 504)
export const SIPUP_ERR_UPSTREAM_BAD_RESPONSE = coded<'SIPUP_ERR_UPSTREAM_BAD_RESPONSE', 502, [string]>(
  'SIPUP_ERR_UPSTREAM_BAD_RESPONSE', 'Upstream sent an invalid response: %s', 502)
export const SIPUP_ERR_CLIENT_TOO_MANY_CONNECTIONS = coded<'SIPUP_ERR_CLIENT_TOO_MANY_CONNECTIONS', 429, []>(
  'SIPUP_ERR_CLIENT_TOO_MANY_CONNECTIONS', 'Too many connections from one address (server.maxConnectionsPerIp)', 429)
export const SIPUP_ERR_REQUEST_BODY_TIMEOUT = coded<'SIPUP_ERR_REQUEST_BODY_TIMEOUT', 408, []>(
  'SIPUP_ERR_REQUEST_BODY_TIMEOUT', 'Request body arrived too slowly (proxy.bodyTimeout / proxy.bodyMinRate)', 408)
export const SIPUP_ERR_REQUEST_TOO_MANY_UPLOADS = coded<'SIPUP_ERR_REQUEST_TOO_MANY_UPLOADS', 429, []>(
  'SIPUP_ERR_REQUEST_TOO_MANY_UPLOADS', 'Too many request bodies being received from one client IP (proxy.maxUploadsPerIp)', 429)
export const SIPUP_ERR_UPSTREAM_OVERLOADED = coded<'SIPUP_ERR_UPSTREAM_OVERLOADED', 503, [string]>(
  'SIPUP_ERR_UPSTREAM_OVERLOADED', 'Origin at its concurrency limit, request shed: %s', 503)
export const SIPUP_ERR_UPSTREAM_GUARD_CONFIG = coded<'SIPUP_ERR_UPSTREAM_GUARD_CONFIG', 500, [string, string, string]>(
  'SIPUP_ERR_UPSTREAM_GUARD_CONFIG', "upstream.%s: expected %s, got '%s'", 500, TypeError)
export const SIPUP_ERR_REQUEST_BODY_TOO_LARGE = coded<'SIPUP_ERR_REQUEST_BODY_TOO_LARGE', 413, [number]>(
  'SIPUP_ERR_REQUEST_BODY_TOO_LARGE', 'Request body is larger than %s bytes', 413, RangeError)

// --- admin ------------------------------------------------------------------
export const SIPUP_ERR_ADMIN_UNAUTHORIZED = coded<'SIPUP_ERR_ADMIN_UNAUTHORIZED', 401, []>(
  'SIPUP_ERR_ADMIN_UNAUTHORIZED', 'Admin credentials required', 401)
export const SIPUP_ERR_ADMIN_FORBIDDEN = coded<'SIPUP_ERR_ADMIN_FORBIDDEN', 403, [string]>(
  'SIPUP_ERR_ADMIN_FORBIDDEN', 'Forbidden: %s', 403)

export const SIPUP_ERR_ADMIN_NOT_FOUND = coded<'SIPUP_ERR_ADMIN_NOT_FOUND', 404, [string]>(
  'SIPUP_ERR_ADMIN_NOT_FOUND', 'No admin route %s', 404)

// --- core: plugin contract, route groups, fleet ------------------------------
export const SIPUP_ERR_PLUGIN_LATE_CALL = coded<'SIPUP_ERR_PLUGIN_LATE_CALL', 500, [string, string]>(
  'SIPUP_ERR_PLUGIN_LATE_CALL', "sidecar.%s called after %s: call it while the plugin registers, before the sidecar is ready", 500, TypeError)
export const SIPUP_ERR_PLUGIN_ORDER = coded<'SIPUP_ERR_PLUGIN_ORDER', 500, [string, string]>(
  'SIPUP_ERR_PLUGIN_ORDER', "Cannot order %s: %s", 500, TypeError)
export const SIPUP_ERR_PLUGIN_CONFLICT = coded<'SIPUP_ERR_PLUGIN_CONFLICT', 500, [string, string]>(
  'SIPUP_ERR_PLUGIN_CONFLICT', "Two plugins define the %s '%s'", 500, TypeError)
export const SIPUP_ERR_UPSTREAM_NOT_READY = coded<'SIPUP_ERR_UPSTREAM_NOT_READY', 500, []>(
  'SIPUP_ERR_UPSTREAM_NOT_READY', 'sidecar.upstream read before ready: read it per request or in onReady, not while plugins register (it would skip every interceptor)', 500, TypeError)
export const SIPUP_ERR_ROUTE_GROUP_INVALID = coded<'SIPUP_ERR_ROUTE_GROUP_INVALID', 500, [string, string]>(
  'SIPUP_ERR_ROUTE_GROUP_INVALID', "Route group '%s': %s", 500, TypeError)
export const SIPUP_ERR_ROUTE_NOT_FOUND = coded<'SIPUP_ERR_ROUTE_NOT_FOUND', 404, [string]>(
  'SIPUP_ERR_ROUTE_NOT_FOUND', 'No route %s', 404)
export const SIPUP_ERR_INTERNAL = coded<'SIPUP_ERR_INTERNAL', 500, []>(
  'SIPUP_ERR_INTERNAL', 'Internal error', 500)
export const SIPUP_ERR_REQUEST_INVALID = coded<'SIPUP_ERR_REQUEST_INVALID', 400, [string]>(
  'SIPUP_ERR_REQUEST_INVALID', 'Invalid request: %s', 400)
export const SIPUP_ERR_REQUEST_MEDIA_TYPE = coded<'SIPUP_ERR_REQUEST_MEDIA_TYPE', 415, [string]>(
  'SIPUP_ERR_REQUEST_MEDIA_TYPE', "Unsupported Content-Type '%s'", 415)
export const SIPUP_ERR_FLEET_LOCK_UNAVAILABLE = coded<'SIPUP_ERR_FLEET_LOCK_UNAVAILABLE', 503, [string, ErrorOptions?]>(
  'SIPUP_ERR_FLEET_LOCK_UNAVAILABLE', "Fleet lock unavailable: Redis failed ('%s'); nothing was run", 503)

// --- cli --------------------------------------------------------------------
export const SIPUP_ERR_CLI_USAGE = coded<'SIPUP_ERR_CLI_USAGE', 500, [string]>(
  'SIPUP_ERR_CLI_USAGE', '%s', 500, TypeError)

// (capability plugins add their sections below: cache, rate-limit, metrics, bench, jobs, db)

// --- cache ------------------------------------------------------------------
export const SIPUP_ERR_CACHE_RULE_INVALID = coded<'SIPUP_ERR_CACHE_RULE_INVALID', 500, [string, string, string]>(
  'SIPUP_ERR_CACHE_RULE_INVALID', "%s: expected %s, got '%s'", 500, TypeError)
export const SIPUP_ERR_CACHE_CONFIG = coded<'SIPUP_ERR_CACHE_CONFIG', 500, [string, string, string]>(
  'SIPUP_ERR_CACHE_CONFIG', "cache.%s: expected %s, got '%s'", 500, TypeError)
export const SIPUP_ERR_CACHE_PURGE_INVALID = coded<'SIPUP_ERR_CACHE_PURGE_INVALID', 400, [string]>(
  'SIPUP_ERR_CACHE_PURGE_INVALID', 'Invalid purge request: %s', 400)
export const SIPUP_ERR_CACHE_PURGE_FORBIDDEN = coded<'SIPUP_ERR_CACHE_PURGE_FORBIDDEN', 403, [string]>(
  'SIPUP_ERR_CACHE_PURGE_FORBIDDEN', "PURGE is not allowed from '%s' (cache.purge.allow)", 403)

// --- rate-limit -------------------------------------------------------------
export const SIPUP_ERR_RATELIMIT_CONFIG = coded<'SIPUP_ERR_RATELIMIT_CONFIG', 500, [string, string, string]>(
  'SIPUP_ERR_RATELIMIT_CONFIG', "rateLimit.%s: expected %s, got '%s'", 500, TypeError)
export const SIPUP_ERR_RATELIMIT_LIMITED = coded<'SIPUP_ERR_RATELIMIT_LIMITED', 429, [string]>(
  'SIPUP_ERR_RATELIMIT_LIMITED', 'Too many requests: limit %s reached', 429)
export const SIPUP_ERR_RATELIMIT_BANNED = coded<'SIPUP_ERR_RATELIMIT_BANNED', 403, []>(
  'SIPUP_ERR_RATELIMIT_BANNED', 'Client banned for repeatedly exceeding rate limits', 403)
export const SIPUP_ERR_RATELIMIT_DENIED = coded<'SIPUP_ERR_RATELIMIT_DENIED', 403, []>(
  'SIPUP_ERR_RATELIMIT_DENIED', 'Client address is on the deny list', 403)
export const SIPUP_ERR_RATELIMIT_UNAVAILABLE = coded<'SIPUP_ERR_RATELIMIT_UNAVAILABLE', 503, []>(
  'SIPUP_ERR_RATELIMIT_UNAVAILABLE', 'Rate-limit store unreachable and rateLimit.failClosed is true', 503)
export const SIPUP_ERR_RATELIMIT_BAD_ADDRESS = coded<'SIPUP_ERR_RATELIMIT_BAD_ADDRESS', 400, [string]>(
  'SIPUP_ERR_RATELIMIT_BAD_ADDRESS', "Expected an IPv4 or IPv6 address, got '%s'", 400)
export const SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND = coded<'SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND', 404, [string]>(
  'SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND', "No ban in force for '%s'", 404)
export const SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE = coded<'SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE', 503, [string, ErrorOptions?]>(
  'SIPUP_ERR_RATELIMIT_BANS_UNAVAILABLE', 'Bans in Redis cannot be read or lifted now: %s', 503)

// --- bench ------------------------------------------------------------------
export const SIPUP_ERR_BENCH_SCENARIO_INVALID = coded<'SIPUP_ERR_BENCH_SCENARIO_INVALID', 500, [string]>(
  'SIPUP_ERR_BENCH_SCENARIO_INVALID', 'Invalid bench scenario:\n%s', 500, TypeError)
export const SIPUP_ERR_BENCH_SCENARIO_FILE = coded<'SIPUP_ERR_BENCH_SCENARIO_FILE', 500, [string, string, ErrorOptions?]>(
  'SIPUP_ERR_BENCH_SCENARIO_FILE', "%s: cannot read bench scenario: '%s'", 500, TypeError)
export const SIPUP_ERR_BENCH_OPTION = coded<'SIPUP_ERR_BENCH_OPTION', 500, [string, string, string, ErrorOptions?]>(
  'SIPUP_ERR_BENCH_OPTION', "bench %s: expected %s, got '%s'", 500, TypeError)

// --- metrics / dashboard ----------------------------------------------------
export const SIPUP_ERR_ADMIN_CSRF = coded<'SIPUP_ERR_ADMIN_CSRF', 403, [string]>(
  'SIPUP_ERR_ADMIN_CSRF', 'Forbidden: %s (send the X-CSRF-Token header from the dashboard page, or use the bearer token)', 403)
export const SIPUP_ERR_ADMIN_HOST = coded<'SIPUP_ERR_ADMIN_HOST', 403, [string]>(
  'SIPUP_ERR_ADMIN_HOST', "Forbidden: loopback-only admin reached with Host '%s'; open it as http://127.0.0.1 or http://localhost, or configure admin.token / admin.users", 403)
export const SIPUP_ERR_ADMIN_TOO_MANY_STREAMS = coded<'SIPUP_ERR_ADMIN_TOO_MANY_STREAMS', 503, [number]>(
  'SIPUP_ERR_ADMIN_TOO_MANY_STREAMS', 'Too many live dashboard streams open (at most %s); close a dashboard tab', 503)

// --- db ---------------------------------------------------------------------
export const SIPUP_ERR_DB_NOT_CONFIGURED = coded<'SIPUP_ERR_DB_NOT_CONFIGURED', 503, [string]>(
  'SIPUP_ERR_DB_NOT_CONFIGURED', 'DB advisor not configured: %s', 503)
export const SIPUP_ERR_DB_UNREACHABLE = coded<'SIPUP_ERR_DB_UNREACHABLE', 503, [string, string, ErrorOptions?]>(
  'SIPUP_ERR_DB_UNREACHABLE', "Database server %s unreachable: '%s'", 503)
export const SIPUP_ERR_DB_PRIVILEGE = coded<'SIPUP_ERR_DB_PRIVILEGE', 403, [string, string, ErrorOptions?]>(
  'SIPUP_ERR_DB_PRIVILEGE', "Missing privilege %s (needed to %s); grant it to the sidecar's MySQL user (`sipup-sidecar doctor` lists them all)", 403)
export const SIPUP_ERR_DB_QUERY = coded<'SIPUP_ERR_DB_QUERY', 500, [string, string, ErrorOptions?]>(
  'SIPUP_ERR_DB_QUERY', "Database query failed while trying to %s: '%s'", 500)
export const SIPUP_ERR_DB_SOURCE_UNAVAILABLE = coded<'SIPUP_ERR_DB_SOURCE_UNAVAILABLE', 409, [string, string]>(
  'SIPUP_ERR_DB_SOURCE_UNAVAILABLE', 'Workload source %s is not available: %s', 409)
export const SIPUP_ERR_DB_BAD_REQUEST = coded<'SIPUP_ERR_DB_BAD_REQUEST', 400, [string]>(
  'SIPUP_ERR_DB_BAD_REQUEST', 'Invalid DB advisor request: %s', 400)
export const SIPUP_ERR_DB_NO_ANALYSIS = coded<'SIPUP_ERR_DB_NO_ANALYSIS', 409, []>(
  'SIPUP_ERR_DB_NO_ANALYSIS', 'No analysis yet: run `sipup-sidecar db analyze` (or Analyze in the dashboard) first', 409)
export const SIPUP_ERR_DB_SUGGESTION_NOT_FOUND = coded<'SIPUP_ERR_DB_SUGGESTION_NOT_FOUND', 404, [string]>(
  'SIPUP_ERR_DB_SUGGESTION_NOT_FOUND', "No suggestion '%s' in the latest analysis", 404)
export const SIPUP_ERR_DB_NOT_APPLICABLE = coded<'SIPUP_ERR_DB_NOT_APPLICABLE', 409, [string, string]>(
  'SIPUP_ERR_DB_NOT_APPLICABLE', "Suggestion '%s' cannot be applied: %s", 409)
export const SIPUP_ERR_DB_TABLE_CHANGED = coded<'SIPUP_ERR_DB_TABLE_CHANGED', 409, [string, string]>(
  'SIPUP_ERR_DB_TABLE_CHANGED', 'Table %s changed since the analysis: %s; run `db analyze` again', 409)
export const SIPUP_ERR_DB_TABLE_TOO_LARGE = coded<'SIPUP_ERR_DB_TABLE_TOO_LARGE', 413, [string, string, string]>(
  'SIPUP_ERR_DB_TABLE_TOO_LARGE', 'Table %s is %s, above db.maxOnlineTableSize (%s): pass --allow-large (allowLarge: true) to build the index anyway', 413, RangeError)
export const SIPUP_ERR_DB_NOT_ONLINE = coded<'SIPUP_ERR_DB_NOT_ONLINE', 409, [string, string]>(
  'SIPUP_ERR_DB_NOT_ONLINE', "Refused: the server can't run '%s' online (ALGORITHM=INPLACE, LOCK=NONE): %s", 409)
export const SIPUP_ERR_DB_LOCK_TIMEOUT = coded<'SIPUP_ERR_DB_LOCK_TIMEOUT', 409, [string, number]>(
  'SIPUP_ERR_DB_LOCK_TIMEOUT', 'Gave up on %s after lock_wait_timeout (%s s): a long transaction holds the table; nothing was changed, retry later', 409)
export const SIPUP_ERR_DB_BUSY = coded<'SIPUP_ERR_DB_BUSY', 409, [string]>(
  'SIPUP_ERR_DB_BUSY', 'Another sidecar instance is %s right now; retry when it is done', 409)
export const SIPUP_ERR_DB_CHANGE_NOT_FOUND = coded<'SIPUP_ERR_DB_CHANGE_NOT_FOUND', 404, [string]>(
  'SIPUP_ERR_DB_CHANGE_NOT_FOUND', 'No applied change %s in the audit table', 404)
// --- jobs -------------------------------------------------------------------
export const SIPUP_ERR_JOBS_CONFIG = coded<'SIPUP_ERR_JOBS_CONFIG', 500, [string, string, string]>(
  'SIPUP_ERR_JOBS_CONFIG', "jobs.%s: expected %s, got '%s'", 500, TypeError)
export const SIPUP_ERR_JOBS_UNAUTHORIZED = coded<'SIPUP_ERR_JOBS_UNAUTHORIZED', 401, [string]>(
  'SIPUP_ERR_JOBS_UNAUTHORIZED', 'Job endpoint credentials rejected: %s', 401)
export const SIPUP_ERR_JOBS_UNKNOWN_TYPE = coded<'SIPUP_ERR_JOBS_UNKNOWN_TYPE', 404, [string]>(
  'SIPUP_ERR_JOBS_UNKNOWN_TYPE', "No job type '%s' (see jobs.types)", 404)
export const SIPUP_ERR_JOBS_NOT_FOUND = coded<'SIPUP_ERR_JOBS_NOT_FOUND', 404, [string]>(
  'SIPUP_ERR_JOBS_NOT_FOUND', "No job '%s' (never enqueued, cancelled, or past jobs.keepSucceeded / keepFailed)", 404)
export const SIPUP_ERR_JOBS_INVALID_PAYLOAD = coded<'SIPUP_ERR_JOBS_INVALID_PAYLOAD', 400, [string, string]>(
  'SIPUP_ERR_JOBS_INVALID_PAYLOAD', "Invalid payload for job type '%s': %s", 400)
export const SIPUP_ERR_JOBS_INVALID_OPTION = coded<'SIPUP_ERR_JOBS_INVALID_OPTION', 400, [string, string, string]>(
  'SIPUP_ERR_JOBS_INVALID_OPTION', "%s: expected %s, got '%s'", 400)
export const SIPUP_ERR_JOBS_PAYLOAD_TOO_LARGE = coded<'SIPUP_ERR_JOBS_PAYLOAD_TOO_LARGE', 413, [number]>(
  'SIPUP_ERR_JOBS_PAYLOAD_TOO_LARGE', 'Job payload is larger than %s bytes (jobs.maxPayload)', 413, RangeError)
export const SIPUP_ERR_JOBS_BATCH_TOO_LARGE = coded<'SIPUP_ERR_JOBS_BATCH_TOO_LARGE', 413, [number, number]>(
  'SIPUP_ERR_JOBS_BATCH_TOO_LARGE', 'Batch has %s jobs, more than %s (jobs.batch.maxItems): split it into smaller batches', 413, RangeError)
export const SIPUP_ERR_JOBS_UNAVAILABLE = coded<'SIPUP_ERR_JOBS_UNAVAILABLE', 503, [string, ErrorOptions?]>(
  'SIPUP_ERR_JOBS_UNAVAILABLE', 'Job store (Redis) unreachable, nothing was stored: %s', 503)
export const SIPUP_ERR_JOBS_CONFLICT = coded<'SIPUP_ERR_JOBS_CONFLICT', 409, [string, string]>(
  'SIPUP_ERR_JOBS_CONFLICT', "Job '%s' is %s: only waiting or delayed jobs can be cancelled", 409)
export const SIPUP_ERR_JOBS_TIMEOUT = coded<'SIPUP_ERR_JOBS_TIMEOUT', 500, [number]>(
  'SIPUP_ERR_JOBS_TIMEOUT', 'Job attempt timed out after %s ms', 500)
export const SIPUP_ERR_JOBS_CALLBACK_FAILED = coded<'SIPUP_ERR_JOBS_CALLBACK_FAILED', 500, [number, string]>(
  'SIPUP_ERR_JOBS_CALLBACK_FAILED', 'Callback answered %s: %s', 500)
export const SIPUP_ERR_JOBS_STALLED = coded<'SIPUP_ERR_JOBS_STALLED', 500, [number]>(
  'SIPUP_ERR_JOBS_STALLED', 'Job stalled %s times (its worker crashed or was killed while running it each time); not run again (jobs.stallLimit)', 500)
export const SIPUP_ERR_JOBS_ADMIN_INVALID = coded<'SIPUP_ERR_JOBS_ADMIN_INVALID', 400, [string]>(
  'SIPUP_ERR_JOBS_ADMIN_INVALID', 'Invalid jobs admin request: %s', 400)
export const SIPUP_ERR_JOBS_INTERNAL = coded<'SIPUP_ERR_JOBS_INTERNAL', 500, []>(
  'SIPUP_ERR_JOBS_INTERNAL', 'Internal error in the job endpoint', 500)

/** An error of ours (a `SIPUP_ERR_*` code), as opposed to a bug, which callers let through. */
export function isCodedError (err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SIPUP_ERR_')
}
