export {
  billRun,
  monthlyStages,
  type BillRunOptions,
  type BillRunResult,
  type MonthlyInvoiceInput,
} from './bill-run.ts';
export {
  listInvoices,
  getInvoice,
  voidInvoice,
  listBillRuns,
  type Invoice,
  type InvoiceLine,
  type InvoiceFilter,
  type InvoiceStatus,
  type BillRunRecord,
} from './invoices.ts';
export { billRunsDue, type ScheduledBillRun } from './schedule.ts';
export { composeInvoice, type InvoiceStage, type ComposedInvoice } from './domain/compose.ts';
export {
  monthlyCharges,
  chargedDays,
  type DraftLine,
  type MonthlyChargeInput,
} from './domain/monthly-charges.ts';
export { formatInvoiceNumber } from './domain/numbering.ts';
export { invoicingRoutes } from './http.ts';
export {
  invoiceOneTimeCharges,
  requestCallerIdChange,
  CID_E911_FEE_ITEM,
  type OneTimeChargeInput,
} from './one-time.ts';
export { draftInvoice, issueInvoices, type InvoiceHeader } from './issue.ts';
