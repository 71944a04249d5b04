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
  replacementOf,
  listBillRuns,
  type Invoice,
  type InvoiceLine,
  type InvoiceFilter,
  type InvoiceStatus,
  type BillRunRecord,
} from './invoices.ts';
export { billRunsDue, type ScheduledBillRun } from './schedule.ts';
export { reissueInvoice, type Reissue } from './reissue.ts';
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
export {
  invoiceDocument,
  invoicePdf,
  invoiceCsv,
  invoicePdfAttachment,
  documentLocaleFor,
  postalAddressLines,
  useStatementBalances,
  type InvoiceDocumentOptions,
  type StatementBalances,
  type StatementBalanceSource,
} from './document.ts';
export { recordInvoiceSent } from './invoice-sent.ts';
export { setInvoicePaymentStatus } from './payment-status.ts';
export {
  invoiceEquipmentOrder,
  EQUIPMENT_ORDER_BUSINESS_DAYS,
  type EquipmentOrderInput,
  type EquipmentOrderInvoice,
} from './equipment-orders.ts';
export {
  addBusinessDays,
  isBusinessDay,
  holidayOn,
  nthBusinessDayOfMonth,
  HOLIDAYS,
  type HolidayRule,
} from './domain/business-days.ts';
export {
  rentalRun,
  rentalRunsDue,
  rentalIssueDate,
  isRentalItem,
  RENTAL_INVOICE_BUSINESS_DAY,
  type RentalRunOptions,
  type RentalRunResult,
  type ScheduledRentalRun,
} from './rentals.ts';
