// Call rating (SPEC §6). The pure kernel is complete and table-tested; storage of CDRs and decks,
// CDR import, the bill-run usage stage and the call-details CSV are the next steps.
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
  rateMonth,
  type UsageMonthInput,
  type RatedUsageMonth,
  type UsageLine,
  type CallDetailRecord,
} from './domain/rating.ts';
export { rateCalls } from './domain/rate-calls.ts';
