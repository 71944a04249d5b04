import type { Selectable } from 'kysely';
import type { Database } from '../../db/index.ts';

export type PaymentStatus = Database['payments']['status'];

/** A payment as the API shows it. The money it moved is in the ledger. */
export interface Payment {
  id: string;
  accountId: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  methodType: Database['payments']['method_type'];
  paymentMethodId: string | null;
  source: Database['payments']['source'];
  invoiceIds: string[];
  reference: string | null;
  declineCode: string | null;
  message: string | null;
  receivedOn: string;
  settlesOn: string | null;
  createdAt: string;
  decidedAt: string | null;
}

export type PaymentRow = Selectable<Database['payments']>;

export const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  accountId: r.account_id,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
  methodType: r.method_type,
  paymentMethodId: r.payment_method_id,
  source: r.source,
  invoiceIds: (r.targets as string[] | null) ?? [],
  reference: r.external_ref,
  declineCode: r.decline_code,
  message: r.message,
  receivedOn: r.received_on,
  settlesOn: r.settles_on,
  createdAt: r.created_at.toISOString(),
  decidedAt: r.decided_at?.toISOString() ?? null,
});
