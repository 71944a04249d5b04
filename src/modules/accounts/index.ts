export {
  createAccount,
  getAccount,
  getAccounts,
  listAccounts,
  setInvoiceRecipients,
  validateRecipients,
  MAX_INVOICE_RECIPIENTS,
  type Account,
  type AccountStatus,
  type CreateAccountInput,
  type InvoiceRecipient,
} from './accounts.ts';
export {
  createBillingEntity,
  getBillingEntity,
  listBillingEntities,
  renameBillingEntity,
  legalNameOn,
  type BillingEntity,
  type BillingEntityInput,
  type EntityRules,
  type ProrationConvention,
  type Remittance,
} from './entities.ts';
export { accountRoutes } from './http.ts';
export { changeAccountStatus, currentAccountStatus } from './status.ts';
