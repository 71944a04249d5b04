// A real SMTP server for the delivery scenarios (not a test file itself): it listens on
// 127.0.0.1, parses what arrives, keeps every message, and can be stopped (connections refused)
// and started again on the same port, or told to refuse some recipients.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { type AddressObject, simpleParser } from 'mailparser';

export interface ReceivedMail {
  envelopeTo: string[];
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  invoiceNumber: string;
  attachments: { filename: string; contentType: string; size: number; content: Buffer }[];
}

/** An SMTP reply for a recipient: null accepts it. */
export type RcptRule = (address: string) => { code: number; message: string } | null;

const list = (v: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? [v] : []).flatMap((o) => o.value.map((a) => a.address ?? ''));

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  port = 0;
  rcptRule: RcptRule = () => null;
  #server: SMTPServer | null = null;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      closeTimeout: 50,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        const reply = this.rcptRule(address.address);
        if (!reply) return callback();
        callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((m) => {
            this.received.push({
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              from: m.from?.text ?? '',
              to: list(m.to),
              cc: list(m.cc),
              subject: m.subject ?? '',
              text: m.text ?? '',
              html: m.html || '',
              messageId: m.messageId ?? '',
              invoiceNumber: String(m.headers.get('x-invoice-number') ?? ''),
              attachments: m.attachments.map((a) => ({
                filename: a.filename ?? '',
                contentType: a.contentType,
                size: a.size,
                content: a.content,
              })),
            });
            callback();
          })
          .catch(callback);
      },
    });
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** Stops listening and drops open connections: from now on connections are refused. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
