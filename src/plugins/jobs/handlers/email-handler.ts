// `email`: the payload is the message (`to`, `subject`, `text` and/or `html`, optional `from`, `cc`, `bcc`,
// `replyTo`), sent through the configured SMTP relay with nodemailer. The Message-ID is derived from the job id,
// so a re-sent message after a crashed worker (at-least-once) carries the same id and can be deduplicated.
import nodemailer, { type Transporter } from 'nodemailer'
import { SIPUP_ERR_JOBS_INVALID_PAYLOAD } from '../../../errors.js'
import type { JobTypeParams } from '../options.js'
import type { Handler, JobContext } from '../types.js'

export interface EmailSettings {
  url: string
  from: string
}

interface Message {
  to?: unknown
  subject?: unknown
  text?: unknown
  html?: unknown
  from?: unknown
  cc?: unknown
  bcc?: unknown
  replyTo?: unknown
}

const str = (v: unknown): string | undefined => typeof v === 'string' ? v : undefined
const addresses = (v: unknown): string | string[] | undefined =>
  typeof v === 'string' ? v : Array.isArray(v) && v.every(x => typeof x === 'string') ? v as string[] : undefined

export class EmailHandler implements Handler {
  readonly #transport: Transporter
  readonly #from: string
  readonly #type: JobTypeParams

  constructor (type: JobTypeParams, settings: EmailSettings) {
    this.#type = type
    this.#from = settings.from
    this.#transport = nodemailer.createTransport({
      url: settings.url,
      connectionTimeout: Math.min(type.timeoutMs, 30_000),
      greetingTimeout: Math.min(type.timeoutMs, 30_000),
      socketTimeout: type.timeoutMs
    })
  }

  async run (payload: unknown, ctx: JobContext): Promise<unknown> {
    const m = (payload ?? {}) as Message
    const to = addresses(m.to)
    const subject = str(m.subject)
    if (to === undefined || subject === undefined || (m.text === undefined && m.html === undefined)) {
      throw new SIPUP_ERR_JOBS_INVALID_PAYLOAD(this.#type.name, 'an email payload needs to, subject and text or html')
    }
    const info = await this.#transport.sendMail({
      from: str(m.from) ?? this.#from,
      to,
      cc: addresses(m.cc),
      bcc: addresses(m.bcc),
      replyTo: str(m.replyTo),
      subject,
      text: str(m.text),
      html: str(m.html),
      messageId: `<${ctx.id}.${ctx.type}@sipup-sidecar>`,
      headers: { 'X-Sidecar-Job-Id': ctx.id }
    })
    return { messageId: info.messageId, accepted: info.accepted, rejected: info.rejected }
  }

  async close (): Promise<void> {
    this.#transport.close()
  }
}
