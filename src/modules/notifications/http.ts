import { Type } from '@sinclair/typebox';
import type { App } from '../../http/types.ts';
import { IdParams, Nullable, errorResponses } from '../../http/schemas.ts';
import { notFound } from '../../kernel/index.ts';
import { getInvoiceDeliveries, resendInvoice } from './deliveries.ts';
import { mailboxPage, messagePage } from './mailbox-page.ts';
import type { InvoiceDelivery } from './service.ts';
import { getDeliverySettings, updateDeliverySettings } from './settings.ts';
import type { MailSink } from './sink.ts';

const Stamp = Type.String({ description: 'UTC instant' });

const DeliverySchema = Type.Object(
  {
    id: Type.String(),
    invoiceId: Type.String(),
    invoiceNumber: Type.String(),
    accountId: Type.String(),
    status: Type.Union(['queued', 'sending', 'sent', 'failed', 'bounced'].map((s) => Type.Literal(s))),
    recipients: Type.Array(Type.Object({ email: Type.String(), name: Nullable(Type.String()) }), {
      description: 'Primary billing contact first (To); the others are copied (Cc)',
    }),
    attempts: Type.Integer({ description: 'Attempts since the delivery was last queued' }),
    notBefore: Type.String({ description: 'Not sent before this instant (throttle slot or retry)' }),
    leaseUntil: Nullable(Stamp),
    sentAt: Nullable(Stamp),
    lastError: Nullable(Type.String()),
    windowMonth: Nullable(Type.String({ description: 'RUN-7 window (billing month) of a monthly invoice' })),
    slot: Nullable(Type.Integer({ description: 'Place in the RUN-7 window, gapless from 0' })),
    resends: Type.Integer(),
    createdAt: Stamp,
  },
  { $id: 'Delivery' },
);

const AttemptSchema = Type.Object(
  {
    attempt: Type.Integer({ description: '0 for a resend request' }),
    attemptedAt: Stamp,
    outcome: Type.Union(
      ['queued', 'sent', 'failed', 'bounced'].map((s) => Type.Literal(s)),
      {
        description: "The delivery's status after this attempt: queued = to be retried at retryAt",
      },
    ),
    smtpResponse: Nullable(Type.String()),
    detail: Nullable(Type.String()),
    retryAt: Nullable(Stamp),
    actor: Type.String(),
  },
  { $id: 'DeliveryAttempt' },
);

const InvoiceDeliveriesSchema = Type.Object({
  invoiceId: Type.String(),
  invoiceNumber: Type.String(),
  delivery: Nullable(Type.Ref('Delivery')),
  attempts: Type.Array(Type.Ref('DeliveryAttempt')),
});

const SettingsSchema = Type.Object({
  perMinute: Type.Number({ description: 'RUN-7: monthly invoice e-mails per minute, instance-wide' }),
  windowLastDay: Type.Integer({ description: 'RUN-7: the batch should be out by the end of this day' }),
  maxAttempts: Type.Integer(),
  maxBackoffMinutes: Type.Integer(),
  catchUpDays: Type.Integer({
    description:
      'Monthly invoices first seen this many days after their window are not e-mailed on their own',
  }),
});

/**
 * Invoice delivery routes, and the embedded sink's mailbox (/dev/mailbox, only while the sink is
 * in use: it needs no key because nothing in it ever left the machine).
 */
export function deliveryRoutes(app: App, delivery: () => InvoiceDelivery | undefined) {
  app.addSchema(DeliverySchema);
  app.addSchema(AttemptSchema);
  const tags = ['Invoice delivery'];

  app.get(
    '/v1/invoices/:id/deliveries',
    {
      schema: {
        tags,
        summary: "An invoice's e-mail delivery and every attempt (RUN-7, RUN-8)",
        params: IdParams,
        response: { 200: InvoiceDeliveriesSchema, ...errorResponses },
      },
    },
    async (req) => getInvoiceDeliveries(req.ctx, req.params.id),
  );

  app.post(
    '/v1/invoices/:id/resend',
    {
      config: { access: 'write' },
      schema: {
        tags,
        summary: 'E-mail an invoice again now, to the current recipients',
        description:
          'Queues a new attempt due at once; the due date set by the first send does not move. Send an Idempotency-Key.',
        params: IdParams,
        response: { 202: InvoiceDeliveriesSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(202).send(await resendInvoice(req.ctx, req.params.id)),
  );

  app.get(
    '/v1/invoice-delivery/settings',
    {
      schema: {
        tags,
        summary: 'Throttle and retry rules of invoice e-mails',
        response: { 200: SettingsSchema, ...errorResponses },
      },
    },
    async (req) => getDeliverySettings(req.ctx),
  );

  app.put(
    '/v1/invoice-delivery/settings',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Change the throttle or retry rules (the settings named change; the rest stay)',
        body: Type.Partial(SettingsSchema, { additionalProperties: false }),
        response: { 200: SettingsSchema, ...errorResponses },
      },
    },
    async (req) => updateDeliverySettings(req.ctx, req.body),
  );

  const sink = (): MailSink => {
    const s = delivery()?.sink;
    if (!s) {
      throw notFound(
        'mailbox_not_available',
        'There is no mailbox: this instance sends e-mail through an SMTP server (SMTP_URL), not the embedded sink.',
      );
    }
    return s;
  };
  const hidden = { config: { access: 'public' as const }, schema: { hide: true } };

  app.get('/dev/mailbox', hidden, async (_req, reply) => {
    const s = sink();
    return reply
      .type('text/html; charset=utf-8')
      .send(mailboxPage(s.messages(), { url: s.url, received: s.received }));
  });

  app.get('/dev/mailbox.json', hidden, async () => {
    const s = sink();
    return { received: s.received, messages: s.messages() };
  });

  app.get<{ Params: { id: string } }>('/dev/mailbox/:id', hidden, async (req, reply) => {
    const m = sink().message(req.params.id);
    if (!m)
      throw notFound(
        'message_not_found',
        `The mailbox has no message ${req.params.id} (it keeps the latest 500).`,
      );
    return reply.type('text/html; charset=utf-8').send(messagePage(m));
  });
}
