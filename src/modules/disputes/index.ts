// Disputes (DSP-1, DSP-2): opened within 15 days of the invoice's issue date, accepted with a
// credit note (payments ledger) or rejected with a reason the customer sees.
export { DISPUTE_WINDOW_DAYS, lastDisputeDay, withinDisputeWindow } from './domain/window.ts';
export {
  openDispute,
  resolveDispute,
  listDisputes,
  type Dispute,
  type OpenDisputeInput,
} from './disputes.ts';
export { disputeRoutes } from './http.ts';
