// Notifications: invoice e-mail delivery (RUN-7 throttled batch, RUN-8 due date from sending,
// ACC-3 recipients), receipts and notices through the same queue (PAY-4, PAY-6, COL-2), its
// transports (SMTP, the embedded sink) and the mailbox page.
export { queueInvoiceDeliveries, recipientsOf, type QueueOptions, type QueueResult } from './queue.ts';
export {
  dispatchDue,
  noAttachments,
  type DispatchOptions,
  type DispatchResult,
  type InvoiceAttachments,
} from './dispatch.ts';
export {
  getInvoiceDeliveries,
  resendInvoice,
  type Delivery,
  type DeliveryAttempt,
  type InvoiceDeliveries,
} from './deliveries.ts';
export { getDeliverySettings, updateDeliverySettings } from './settings.ts';
export {
  DEFAULT_DELIVERY_SETTINGS,
  classifySmtpFailure,
  reserveSlots,
  retryDelayMs,
  type DeliverySettings,
} from './domain/policy.ts';
export {
  invoiceEmail,
  type InvoiceEmailInput,
  type MailAddress,
  type MailAttachment,
  type MailMessage,
} from './domain/invoice-email.ts';
export {
  noticeEmail,
  type NoticeEmailInput,
  type NoticeKind,
  type NoticePayload,
} from './domain/notice-email.ts';
export {
  smtpTransport,
  describeSmtpUrl,
  type MailTransport,
  type SmtpTransportOptions,
} from './transport.ts';
export { MailSink, type CaughtMessage, type MailSinkOptions } from './sink.ts';
export {
  startInvoiceDelivery,
  attachInvoiceDelivery,
  invoiceDeliveryOf,
  deliverInvoices,
  nextDeliveryDueAt,
  type InvoiceDelivery,
  type InvoiceDeliveryOptions,
  type DeliveryRunResult,
} from './service.ts';
export { deliveryRoutes } from './http.ts';
