import nodemailer from 'nodemailer';
import type { MailAddress, MailMessage } from './domain/invoice-email.ts';

/** What sending needs from a mail service; a real SMTP server and the embedded sink both fit. */
export interface MailTransport {
  send(message: MailMessage): Promise<{ accepted: string[]; rejected?: string[]; response: string }>;
  /** Closes pooled connections. */
  close?(): Promise<void>;
  /** Where mail goes, for logs ("smtp://mail.example.com:587"), credentials left out. */
  readonly description?: string;
}

export interface SmtpTransportOptions {
  /** Connections kept open and reused (a batch of thousands of invoices). Default 3. */
  maxConnections?: number;
  /** Seconds to wait for a connection, the greeting, or any reply. Default 30. */
  timeoutSeconds?: number;
  /** Never upgrade with STARTTLS (the embedded sink on the loopback address speaks plain SMTP). */
  ignoreTLS?: boolean;
}

const address = (a: MailAddress) => (a.name ? { name: a.name, address: a.email } : a.email);
const plain = (a: string | { address: string }) => (typeof a === 'string' ? a : a.address);

/** Hides the password of smtp://user:pass@host:587 for logs and pages. */
export function describeSmtpUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'smtp (unparseable URL)';
  }
}

/**
 * SMTP through nodemailer, from a URL such as smtp://user:pass@host:587 (smtps:// for implicit
 * TLS). Pooled: a batch reuses a few connections instead of one handshake per invoice.
 */
export function smtpTransport(url: string, opts: SmtpTransportOptions = {}): MailTransport {
  const parsed = new URL(url);
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new Error(`SMTP_URL must start with smtp:// or smtps://, got ${describeSmtpUrl(url)}`);
  }
  const timeout = (opts.timeoutSeconds ?? 30) * 1000;
  const transporter = nodemailer.createTransport({
    pool: true,
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : parsed.protocol === 'smtps:' ? 465 : 587,
    secure: parsed.protocol === 'smtps:',
    ignoreTLS: opts.ignoreTLS ?? false,
    auth: parsed.username
      ? { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) }
      : undefined,
    maxConnections: opts.maxConnections ?? 3,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
  });
  return {
    description: describeSmtpUrl(url),
    async send(m) {
      const info = await transporter.sendMail({
        from: address(m.from),
        to: m.to.map(address),
        cc: m.cc.map(address),
        replyTo: m.replyTo ? address(m.replyTo) : undefined,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: m.messageId,
        headers: m.headers,
        attachments: m.attachments.map((a) => ({
          filename: a.filename,
          content: a.content,
          contentType: a.contentType,
        })),
      });
      return {
        accepted: info.accepted.map(plain),
        rejected: info.rejected.map(plain),
        response: info.response,
      };
    },
    async close() {
      transporter.close();
    },
  };
}
