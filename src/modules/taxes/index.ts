export {
  feeStage,
  regulatoryFees,
  validateFeeSchedule,
  quarterFactor,
  FEE_LINE_TYPES,
  type FeeSchedule,
  type FeeDefinition,
} from './domain/fees.ts';
export {
  taxStage,
  quotedTaxStage,
  tableTaxProvider,
  validateTaxTable,
  TAX_LINE_TYPE,
  type TaxProvider,
  type TaxTable,
  type TaxRule,
  type TaxRequest,
  type TaxLine,
} from './domain/taxes.ts';
export {
  parsePercent,
  type BillingContext,
  type BillingAddress,
  type ExemptionCertificate,
} from './domain/rates.ts';
export { demoFeeSchedule, demoTaxTable } from './domain/demo-rates.ts';
export {
  loadRateTables,
  publishFeeSchedule,
  publishTaxTable,
  grantExemption,
  certificatesOf,
  type RateTables,
  type StoredCertificate,
} from './rate-tables.ts';
export { taxRoutes } from './http.ts';
