// One pino logger for the process (JSON lines on stdout), handed to Fastify.
import { pino, type Logger } from 'pino'
import type { CoreConfig } from './config/core-schema.js'

export function createLogger (config: CoreConfig['log']): Logger {
  return pino({
    level: config.level,
    base: { name: 'sipup-sidecar' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' }
  })
}
