import type { Ctx } from '../../context.ts';
import type { Clock } from '../../kernel/index.ts';
import {
  type DispatchOptions,
  type DispatchResult,
  type InvoiceAttachments,
  dispatchDue,
} from './dispatch.ts';
import { type QueueResult, queueInvoiceDeliveries } from './queue.ts';
import { nextDueAt } from './repo.ts';
import { MailSink } from './sink.ts';
import { type MailTransport, smtpTransport } from './transport.ts';

/** How an instance e-mails invoices: a transport, the embedded sink when in use, and the options. */
export interface InvoiceDelivery {
  transport: MailTransport;
  /** The embedded sink, when no SMTP server was configured (the mailbox page reads it). */
  sink: MailSink | null;
  dispatch: DispatchOptions;
  close(): Promise<void>;
}

export interface InvoiceDeliveryOptions {
  clock: Clock;
  /** smtp://user:pass@host:587; absent = the embedded sink. */
  smtpUrl?: string | undefined;
  /** The embedded sink's port; 0 or absent = any free port. */
  sinkPort?: number | undefined;
  /** The invoice PDF (and any other file) to attach; default none. */
  attachments?: InvoiceAttachments | undefined;
  dispatch?: DispatchOptions;
}

/** Starts the transport: the configured SMTP server, or the embedded sink on 127.0.0.1. */
export async function startInvoiceDelivery(opts: InvoiceDeliveryOptions): Promise<InvoiceDelivery> {
  const dispatch = { ...opts.dispatch, attachments: opts.attachments ?? opts.dispatch?.attachments };
  if (opts.smtpUrl) {
    const transport = smtpTransport(opts.smtpUrl);
    return { transport, sink: null, dispatch, close: async () => transport.close?.() };
  }
  const sink = await new MailSink({ clock: opts.clock, port: opts.sinkPort }).start();
  // The same SMTP path as a real server: the sink is reached over the loopback interface.
  const transport = smtpTransport(sink.url, { ignoreTLS: true, maxConnections: 2, timeoutSeconds: 10 });
  return {
    transport,
    sink,
    dispatch,
    close: async () => {
      await transport.close?.();
      await sink.close();
    },
  };
}

// The delivery an instance uses, looked up by whatever owns it (the runtime): the scheduler and
// the mailbox routes find it there without every caller passing it along.
const attached = new WeakMap<object, InvoiceDelivery>();

export function attachInvoiceDelivery(owner: object, delivery: InvoiceDelivery | null): void {
  if (delivery) attached.set(owner, delivery);
  else attached.delete(owner);
}

export function invoiceDeliveryOf(owner: object): InvoiceDelivery | undefined {
  return attached.get(owner);
}

export interface DeliveryRunResult {
  queue: QueueResult;
  /** null when the instance has no transport (deliveries wait for one). */
  dispatch: DispatchResult | null;
}

/** One pass of the delivery job: queue what is new, then send what is due. */
export async function deliverInvoices(
  ctx: Ctx,
  delivery: InvoiceDelivery | undefined,
  opts: { sweep?: boolean } = {},
): Promise<DeliveryRunResult> {
  const queue = await queueInvoiceDeliveries(ctx, { sweep: opts.sweep });
  const dispatch = delivery ? await dispatchDue(ctx, delivery.transport, delivery.dispatch) : null;
  return { queue, dispatch };
}

/** When the next delivery comes due (queued slot or retry, or an expired claim); null if none. */
export const nextDeliveryDueAt = (ctx: Ctx): Promise<Date | null> => nextDueAt(ctx.db);
