// Invoice documents (POR-1, POR-3): the view model the invoicing module fills and the renderers
// that turn it into a PDF or a CSV. Pure: no database, clock or configuration.
export {
  type InvoiceDocument,
  type InvoiceDocumentLine,
  type DocumentEntity,
  type DocumentAccount,
  type DocumentInvoice,
  type DocumentRemittance,
  type DocumentSummary,
  type InvoiceKind,
  type LineGroup,
  type LineSection,
  LINE_GROUP_ORDER,
  USAGE_LINE_TYPES,
  FEE_LINE_TYPES,
  TAX_LINE_TYPE,
  lineGroupOf,
  lineSections,
  documentSummary,
} from './view.ts';
export {
  type Language,
  type DocumentLabels,
  type DocumentFormats,
  type DocumentLocale,
  LANGUAGES,
  documentLocale,
  documentFormats,
  labelsFor,
  languageOf,
} from './i18n.ts';
export { renderInvoicePdf, paperSizeFor } from './invoice-pdf.ts';
export { renderInvoiceCsv, INVOICE_CSV_COLUMNS } from './invoice-csv.ts';
export {
  type EntityData,
  documentEntity,
  withTotals,
  usMonthlyInvoice,
  mexicanMonthlyInvoice,
  brazilianMonthlyInvoice,
  typicalInvoice,
  longInvoice,
} from './samples.ts';
