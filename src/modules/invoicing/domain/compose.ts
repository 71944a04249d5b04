// Invoice composition is shared with the modules that contribute lines: see the kernel.
export { composeInvoice, type ComposedInvoice, type InvoiceStage } from '../../../kernel/index.ts';
