import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { type AddressObject, simpleParser } from 'mailparser';
import type { Clock } from '../../kernel/index.ts';

/** A message the sink caught, as the mailbox page shows it. */
export interface CaughtMessage {
  id: string;
  receivedAt: string;
  envelopeFrom: string | null;
  envelopeTo: string[];
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  messageId: string | null;
  invoiceNumber: string | null;
  text: string;
  html: string | null;
  attachments: { filename: string; contentType: string; size: number }[];
  size: number;
}

export interface MailSinkOptions {
  clock: Clock;
  /** 0 (default) = any free port. */
  port?: number;
  /** Messages kept in memory, newest first; older ones are dropped. Default 500. */
  capacity?: number;
}

const addresses = (v: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : []).flatMap((o) => o.value.map((a) => a.address ?? '')).filter(Boolean);

/**
 * The embedded mail sink: a real SMTP server on 127.0.0.1 that accepts every message and keeps the
 * last few hundred in memory for the mailbox page. Tollbooth sends to it over SMTP exactly as it
 * would to a real mail service, so the whole path is exercised without e-mailing anyone.
 */
export class MailSink {
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #requestedPort: number;
  #server: SMTPServer | null = null;
  #messages: CaughtMessage[] = [];
  #received = 0;
  port = 0;

  constructor(opts: MailSinkOptions) {
    this.#clock = opts.clock;
    this.#capacity = opts.capacity ?? 500;
    this.#requestedPort = opts.port ?? 0;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages received since start, including those no longer kept. */
  get received(): number {
    return this.#received;
  }

  async start(): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      banner: 'Tollbooth mail sink',
      logger: false,
      size: 25 * 1024 * 1024,
      closeTimeout: 1000,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            if (stream.sizeExceeded) {
              const tooBig = Object.assign(new Error('Message exceeds the size limit'), {
                responseCode: 552,
              });
              return callback(tooBig);
            }
            this.#keep({
              id: String(++this.#received),
              receivedAt: this.#clock.now().toISOString(),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: mail.from?.text ?? '',
              to: addresses(mail.to),
              cc: addresses(mail.cc),
              subject: mail.subject ?? '',
              messageId: mail.messageId ?? null,
              invoiceNumber: (mail.headers.get('x-invoice-number') as string | undefined) ?? null,
              text: mail.text ?? '',
              html: mail.html || null,
              attachments: mail.attachments.map((a) => ({
                filename: a.filename ?? '(unnamed)',
                contentType: a.contentType,
                size: a.size,
              })),
              size: stream.byteLength ?? 0,
            });
            callback();
          })
          .catch((e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#requestedPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Logged rather than fatal: a client that drops mid-message must not stop the instance.
    server.on('error', () => {});
    // The sink never keeps a finished command (a CLI run) alive on its own.
    server.server.unref();
    this.#server = server;
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  #keep(m: CaughtMessage) {
    this.#messages.unshift(m);
    if (this.#messages.length > this.#capacity) this.#messages.length = this.#capacity;
  }

  /** Newest first. */
  messages(): readonly CaughtMessage[] {
    return this.#messages;
  }

  message(id: string): CaughtMessage | undefined {
    return this.#messages.find((m) => m.id === id);
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
