// The `jobs:` config section. Durations and sizes are human strings in YAML, numbers (ms, bytes) in code.
// Checks a schema can't express (unique type names, a url for `http`, a module for `module`, a schedule naming a
// known type, a cron expression that parses, a payload schema that compiles) run once in options.ts and throw
// SIPUP_ERR_JOBS_CONFIG naming the key.
import { Type, type Static } from '@sinclair/typebox'
import { Bytes, Duration } from '../../config/units.js'
import { Bool, Int, Str } from '../../config/schema-helpers.js'
import type { DeepReadonly } from '../../config/deep-readonly.js'

export const PRIORITIES = ['high', 'normal', 'low'] as const
export type Priority = typeof PRIORITIES[number]

const PrioritySchema = (description: string) => Type.Union(PRIORITIES.map(p => Type.Literal(p)), { description, default: 'normal' })

export const JobTypeSchema = Type.Object({
  name: Type.String({
    description: 'Name of the job type: the path of `POST <prefix>/<name>` and the label in metrics (lower case, ' +
      'digits, - and _).',
    pattern: '^[a-z][a-z0-9_-]{0,63}$'
  }),
  handler: Type.Union([Type.Literal('http'), Type.Literal('email'), Type.Literal('module')], {
    description: '`http`: POST the payload (signed, with job id and attempt) to `url`, 2xx = done; `email`: send ' +
      'the payload (`to`, `subject`, `text`/`html`) through `jobs.email`; `module`: call the default export ' +
      '`async (payload, ctx) => result` of the JS module `module`.',
    default: 'http'
  }),
  url: Str('For `http`: URL the payload is POSTed to; a path (`/jobs/report.php`) is resolved against ' +
    '`jobs.http.baseUrl`.', ''),
  module: Str('For `module`: path of the JS module (relative paths from the working directory).', ''),
  schema: Type.Record(Type.String(), Type.Unknown(), {
    description: 'JSON schema (draft-07, checked by Ajv with formats such as email, date-time, uri) the payload must match; `{}` accepts any JSON ' +
      'object. A payload that fails it is answered 400 naming the field, and never stored.',
    default: {}
  }),
  priority: PrioritySchema('Queue the jobs go to unless the request asks for another (`?priority=`).'),
  attempts: Int('Runs a job gets before it is dead-lettered (1 = no retry).', 3, 1, 100),
  backoff: Duration({ description: 'Delay before the first retry; each further retry doubles it.', default: '5s' }),
  maxBackoff: Duration({ description: 'Longest delay between two attempts.', default: '10m' }),
  jitter: Type.Number({ description: 'Share of each backoff delay taken off at random (0 = none, 0.5 = up to half), ' +
    'so retries of jobs that failed together do not arrive together.', default: 0.2, minimum: 0, maximum: 1 }),
  timeout: Duration({ description: 'Longest run of one attempt; then it fails (the module handler\'s signal is ' +
    'aborted, the HTTP request cut).', default: '2m' }),
  concurrency: Int('Jobs of this type one worker process runs at once (within `jobs.concurrency`).', 5, 1, 1000),
  rateLimit: Int('Jobs of this type started per `rateWindow` across every worker (0 = no limit), e.g. 5 e-mails a ' +
    'second for the SMTP relay.', 0, 0, 1_000_000),
  rateWindow: Duration({ description: 'Window of `rateLimit`.', default: '1s' }),
  secret: Str('Secret for this type instead of `jobs.secret`: enqueue requests must use it, and `http` callbacks ' +
    'are signed with it.', ''),
  secretEnv: Str('Environment variable holding this type\'s secret (read at start-up; wins over `secret`).', '')
}, { additionalProperties: false })

export const ScheduleSchema = Type.Object({
  name: Type.String({ description: 'Name of the schedule (lower case, digits, - and _).', pattern: '^[a-z][a-z0-9_-]{0,63}$' }),
  cron: Type.String({ minLength: 1, description: 'Cron expression: 5 fields (minute hour day month weekday) or 6 with ' +
    'seconds first; `@daily`, `@weekly`... work too.' }),
  type: Type.String({ minLength: 1, description: 'Job type (one of `jobs.types`) enqueued on each tick.' }),
  payload: Type.Record(Type.String(), Type.Unknown(), { description: 'Payload of the enqueued job (checked against the type\'s schema at start-up).', default: {} }),
  timezone: Str('IANA time zone the expression is read in (empty = `jobs.timezone`).', ''),
  catchUp: Type.Union([Type.Literal('one'), Type.Literal('none')], {
    description: 'A tick missed while no worker ran: `one` runs it once when a worker comes back, `none` skips it.',
    default: 'one'
  })
}, { additionalProperties: false })

export const JobsSchema = Type.Object({
  enabled: Bool('Accept background jobs from the legacy app and run them with bee-queue workers (needs Redis).', false),
  prefix: Type.String({ description: 'URL prefix of the job endpoint (`POST <prefix>/<type>`, `GET`/`DELETE ' +
    '<prefix>/<id>`). Never cached, never forwarded to the origin.', default: '/_jobs', pattern: '^/[A-Za-z0-9._~/-]*[^/]$' }),
  inline: Bool('Run the workers inside the proxy process too (small sites); otherwise run `sipup-sidecar worker`.', false),
  secret: Str('Shared secret of the job endpoint (env SIDECAR_JOBS_SECRET): `Authorization: Bearer <secret>` or an ' +
    'HMAC-SHA256 `X-Sidecar-Signature`. Empty: every enqueue is refused (401).', ''),
  bearer: Bool('Accept the secret as a bearer token; false = only HMAC signatures (the secret never crosses the wire).', true),
  replayWindow: Duration({ description: 'How far a signed request\'s `X-Sidecar-Timestamp` may be from the sidecar\'s ' +
    'clock; a signature is accepted once within it.', default: '5m' }),
  maxPayload: Bytes({ description: 'Largest job payload accepted (413 beyond it).', default: '256KB' }),
  batch: Type.Object({
    maxItems: Int('Most jobs one `POST <prefix>/<type>/batch` may carry (413 beyond it).', 100, 1, 10_000),
    maxBody: Bytes({ description: 'Largest batch body accepted (413 beyond it); each job in it is also held to `maxPayload`.', default: '1MB' })
  }, { additionalProperties: false, description: 'Batch enqueue (`POST <prefix>/<type>/batch`): many jobs in one request, stored all or none in one Redis step.', default: {} }),
  idempotencyTtl: Duration({ description: 'How long an `Idempotency-Key` maps to its first job.', default: '24h' }),
  concurrency: Int('Jobs one worker process runs at once, over every type.', 10, 1, 10_000),
  fairness: Type.Object({
    normal: Type.Number({ description: 'Least share of worker slots `normal` jobs get while `high` jobs wait.', default: 0.2, minimum: 0.01, maximum: 1 }),
    low: Type.Number({ description: 'Least share of worker slots `low` jobs get while higher ones wait (never starved).', default: 0.05, minimum: 0.01, maximum: 1 })
  }, { additionalProperties: false, description: 'Workers take `high` jobs first, `normal` next, `low` last, but never starve a lower queue: each gets at least this share of the slots while it has work.', default: {} }),
  stallInterval: Duration({ description: 'A running job whose worker stops renewing it for this long is re-run ' +
    'elsewhere (bee-queue stallInterval; the check is scheduled automatically).', default: '5s' }),
  stallLimit: Int('A job that stalled this many times (it crashes its worker) fails instead of running again.', 3, 1, 100),
  shutdownTimeout: Duration({ description: 'On SIGTERM, how long running jobs may take to finish; the rest are ' +
    'aborted and re-run by another worker.', default: '30s' }),
  keepFailed: Duration({ description: 'How long dead-lettered jobs are kept for retry.', default: '7d' }),
  keepSucceeded: Duration({ description: 'How long finished jobs (their status and result) are kept.', default: '1h' }),
  heartbeat: Duration({ description: 'How often a worker tells Redis it is alive.', default: '5s' }),
  workerTtl: Duration({ description: 'Health check `jobs`: a worker not heard from for this long counts as gone.', default: '30s' }),
  timezone: Str('Default IANA time zone of the schedules.', 'UTC'),
  redis: Type.Object({
    url: Str('Standalone Redis for the jobs alone (redis:// or rediss://, env SIDECAR_JOBS_REDIS_URL); empty = the ' +
      'shared `redis` section. bee-queue\'s client follows neither Sentinel nor Cluster: set this when `redis` uses ' +
      '`sentinels` or `nodes`, and the job endpoint, producers and workers use this server while cache, rate limit ' +
      'and locks keep the shared section.', ''),
    keyPrefix: Str('Key prefix of the jobs on that server (empty = `redis.keyPrefix`).', '')
  }, { additionalProperties: false, description: 'A jobs-only Redis instead of the shared `redis` section.', default: {} }),
  http: Type.Object({
    baseUrl: Str('Base of `http` handler URLs given as a path (empty = `upstream.url`).', ''),
    maxErrorBody: Bytes({ description: 'Bytes of a failed callback\'s response body kept as the job\'s error.', default: '1KB' })
  }, { additionalProperties: false, description: 'The `http` handler (callbacks into the legacy app).', default: {} }),
  email: Type.Object({
    url: Str('SMTP relay, e.g. smtp://user:pass@127.0.0.1:25 or smtps://... (env SIDECAR_JOBS_SMTP_URL).', 'smtp://127.0.0.1:25'),
    from: Str('Sender when the payload gives no `from`.', 'shop@localhost')
  }, { additionalProperties: false, description: 'The `email` handler.', default: {} }),
  types: Type.Array(JobTypeSchema, { description: 'Job types the endpoint accepts.', default: [] }),
  schedules: Type.Array(ScheduleSchema, { description: 'Recurring jobs: each tick enqueues one job, once across every worker and instance.', default: [] })
}, { additionalProperties: false, description: 'Background jobs (bee-queue workers).', default: {} })

export type JobsSection = DeepReadonly<Static<typeof JobsSchema>>
export type JobTypeConfig = JobsSection['types'][number]
export type ScheduleConfig = JobsSection['schedules'][number]
