// Payments (PAY-1..8) and the account ledger (COL-1): payment methods behind a processor with a
// built-in simulated one, pay balance with lockout and idempotency, autopay, offline payments and
// bank files, refunds and credit notes; the janitor for payments in an unknown state.
import { useStatementBalances } from '../invoicing/index.ts';
import { statementBalances } from './statement.ts';

// Invoice documents print the previous balance and the payments since from the ledger.
useStatementBalances(statementBalances);

export {
  replayLedger,
  positionOf,
  amountDue,
  type LedgerEntry,
  type LedgerKind,
  type LedgerState,
  type AccountPosition,
  type Aging,
} from './domain/ledger.ts';
export {
  ACCEPTED_BRANDS,
  detectBrand,
  luhnValid,
  abaRoutingValid,
  clabeValid,
  validateCard,
} from './domain/methods.ts';
export { RETRY_AFTER_DECLINE_MS, retryAllowedAt } from './domain/lockout.ts';
export {
  SimulatedProcessor,
  ProcessorTimeout,
  TEST_CARDS,
  RETURNED_BANK_SUFFIX,
  BANK_SETTLEMENT_DAYS,
  paymentProcessor,
  usePaymentProcessor,
  type PaymentProcessor,
  type ChargeOutcome,
  type ChargeRequest,
  type Settlement,
} from './processor.ts';
export {
  accountBalance,
  accountLedger,
  settleAccount,
  todayFor,
  type AccountBalance,
  type OpenInvoice,
} from './ledger.ts';
export { onLedgerChange, type LedgerListener } from './listeners.ts';
export { statementBalances } from './statement.ts';
export { lockPaymentAccount, syncInvoiceEntries } from './repo.ts';
export {
  addPaymentMethod,
  listPaymentMethods,
  removePaymentMethod,
  setDefaultPaymentMethod,
  setAutopay,
  type PaymentMethod,
  type AddPaymentMethodInput,
} from './payment-methods.ts';
export { payBalance, type PayBalanceInput } from './pay-balance.ts';
export { receiptAddressOf } from './record-outcome.ts';
export { reconcilePayments, type ReconcileResult } from './reconcile.ts';
export { runAutopay, AUTOPAY_DAY, type AutopayResult } from './autopay.ts';
export { recordOfflinePayment, type OfflinePaymentInput } from './offline.ts';
export { importBankFile, type BankFileResult } from './bank-file.ts';
export { parseBankFile } from './domain/bank-file.ts';
export { refundCredit, adjustBalance } from './refund.ts';
export { issueCreditNote, type CreditNote } from './credit-notes.ts';
export { type Payment, type PaymentStatus } from './payment.ts';
export { paymentRoutes } from './http.ts';
