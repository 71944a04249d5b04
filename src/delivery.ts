// Composition root for invoice e-mail: the delivery module's transport with the invoicing
// module's PDF plugged into its attachment hook. `serve`, `worker` and the scenarios start it here.
import { invoicePdfAttachment } from './modules/invoicing/index.ts';
import {
  type InvoiceAttachments,
  type InvoiceDelivery,
  attachInvoiceDelivery,
  startInvoiceDelivery,
} from './modules/notifications/index.ts';
import type { Runtime } from './runtime.ts';

/** Every invoice e-mail carries the invoice PDF, rendered when the message is sent. */
export function invoicePdfAttachments(rt: Runtime): InvoiceAttachments {
  return async (invoiceId, sending) => [await invoicePdfAttachment(rt.ctx('deliveries'), invoiceId, sending)];
}

/**
 * Starts invoice e-mail for an instance — the SMTP server given, or the embedded sink — with the
 * PDF attached, and attaches it to the runtime so the scheduler and clock advances use it.
 */
export async function startDocumentDelivery(
  rt: Runtime,
  opts: { smtpUrl?: string | undefined; sinkPort?: number | undefined } = {},
): Promise<InvoiceDelivery> {
  const delivery = await startInvoiceDelivery({
    clock: rt.clock,
    smtpUrl: opts.smtpUrl,
    sinkPort: opts.sinkPort,
    attachments: invoicePdfAttachments(rt),
  });
  attachInvoiceDelivery(rt, delivery);
  return delivery;
}
