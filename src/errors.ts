// Constructors whose last tuple entry is `ErrorOptions?` take `{ cause }` to wrap the underlying error.
// Every error sipup-sidecar throws or sends has a stable code, created once here.
// Never reuse a retired code. docs/errors.md documents each one (test/errors-docs.test.ts keeps them in step).
import createError from '@fastify/error'

// --- config -----------------------------------------------------------------
export const SIPUP_ERR_CONFIG_INVALID = createError<'SIPUP_ERR_CONFIG_INVALID', 500, [string]>(
  'SIPUP_ERR_CONFIG_INVALID', 'Invalid configuration:\n%s', 500, TypeError)
export const SIPUP_ERR_CONFIG_FILE = createError<'SIPUP_ERR_CONFIG_FILE', 500, [string, string, ErrorOptions?]>(
  'SIPUP_ERR_CONFIG_FILE', "%s: cannot read config file: '%s'", 500, TypeError)
export const SIPUP_ERR_CONFIG_YAML = createError<'SIPUP_ERR_CONFIG_YAML', 500, [string, string, ErrorOptions?]>(
  'SIPUP_ERR_CONFIG_YAML', '%s: YAML syntax error: %s', 500, TypeError)

// --- proxy / upstream -------------------------------------------------------
export const SIPUP_ERR_UPSTREAM_UNAVAILABLE = createError<'SIPUP_ERR_UPSTREAM_UNAVAILABLE', 502, [string]>(
  'SIPUP_ERR_UPSTREAM_UNAVAILABLE', 'Upstream unavailable: %s', 502)
export const SIPUP_ERR_UPSTREAM_TIMEOUT = createError<'SIPUP_ERR_UPSTREAM_TIMEOUT', 504, [string]>(
  'SIPUP_ERR_UPSTREAM_TIMEOUT', 'Upstream timed out: %s', 504)
export const SIPUP_ERR_UPSTREAM_BAD_RESPONSE = createError<'SIPUP_ERR_UPSTREAM_BAD_RESPONSE', 502, [string]>(
  'SIPUP_ERR_UPSTREAM_BAD_RESPONSE', 'Upstream sent an invalid response: %s', 502)
export const SIPUP_ERR_REQUEST_BODY_TOO_LARGE = createError<'SIPUP_ERR_REQUEST_BODY_TOO_LARGE', 413, [number]>(
  'SIPUP_ERR_REQUEST_BODY_TOO_LARGE', 'Request body is larger than %s bytes', 413, RangeError)

// --- admin ------------------------------------------------------------------
export const SIPUP_ERR_ADMIN_UNAUTHORIZED = createError<'SIPUP_ERR_ADMIN_UNAUTHORIZED', 401, []>(
  'SIPUP_ERR_ADMIN_UNAUTHORIZED', 'Admin credentials required', 401)
export const SIPUP_ERR_ADMIN_FORBIDDEN = createError<'SIPUP_ERR_ADMIN_FORBIDDEN', 403, [string]>(
  'SIPUP_ERR_ADMIN_FORBIDDEN', 'Forbidden: %s', 403)

// --- cli --------------------------------------------------------------------
export const SIPUP_ERR_CLI_USAGE = createError<'SIPUP_ERR_CLI_USAGE', 500, [string]>(
  'SIPUP_ERR_CLI_USAGE', '%s', 500, TypeError)

// (capability plugins add their sections below: cache, rate-limit, metrics, bench, jobs, db)
