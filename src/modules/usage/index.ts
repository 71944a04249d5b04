// Call rating (SPEC §6): the pure kernel in domain/, and around it rate decks and calling plans as
// data, CDR import (CSV and API), rating inside the bill run, and the billed call details.
export { normalizeNumber, type NormalizedNumber, type PhoneNumber } from './domain/numbers.ts';
export { billableSeconds, type RoundingRule, ROUNDING_RULES } from './domain/rounding.ts';
export {
  RateDeck,
  parseDeckCsv,
  formatDeckCsv,
  type RateEntry,
  type ParsedDeck,
} from './domain/rate-deck.ts';
export { demoDeck, demoDeckCsv, demoDeckEntries } from './domain/demo-decks.ts';
export { classifyCall, type AccountCallingContext, type Classification } from './domain/classify.ts';
export {
  type UsageMonthInput,
  type RatedUsageMonth,
  type UsageLine,
  type CallDetailRecord,
} from './domain/rating.ts';
export {
  rateArrival,
  unrated,
  arrivalContext,
  priceUsageMonth,
  detailAllocator,
  ArrivalTotals,
  type ArrivingCall,
  type UsageSum,
  type ArrivalRating,
} from './domain/arrival.ts';
export { CDR_CSV_COLUMNS, type RawCdr } from './domain/cdr.ts';
export {
  importRateDeck,
  exportRateDeck,
  loadRateDeck,
  seedDemoDecks,
  callingPlanTerms,
  setCallingPlan,
} from './decks.ts';
export { importCdrs, type ImportReport, type ImportError, type CdrRow, type CdrRows } from './import.ts';
export { importCdrFile, type FileImportOptions } from './import-file.ts';
export { csvCdrRows } from './cdr-csv.ts';
export { usageRater, recordBilledCalls, releaseBilledUsage, type AccountUsage } from './bill.ts';
export { type UsageAccount } from './rating-context.ts';
export {
  callDetailsOf,
  callDetailsCsv,
  callDetailsJson,
  checkDetailsFormat,
  CALL_DETAIL_COLUMNS,
} from './call-details.ts';
export { usageRoutes } from './http.ts';
// How a call set's ids are read in SQL (the set aliased `s`): for whoever reads call_sets directly.
export { SET_IDS } from './repo.ts';
