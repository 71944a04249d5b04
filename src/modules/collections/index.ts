// Collections (COL-2..4): the dunning schedule as data, the daily check (notices, suspension,
// automatic reactivation at 0.00), staff deactivation and reactivation. Account status changes are
// events, and the service inventory follows them.
import { onLedgerChange } from '../payments/index.ts';
import { reactivateWhenPaid } from './reactivation.ts';

// COL-3: wherever the money moves, a suspended account is reactivated the moment it is paid up.
onLedgerChange(reactivateWhenPaid);

export {
  DEFAULT_POLICY,
  resolvePolicy,
  statusDecision,
  noticesDue,
  deactivationAllowed,
  type CollectionPolicy,
  type DunningStep,
} from './domain/policy.ts';
export { runCollections, type CollectionsRunResult } from './daily.ts';
export { collectionsRunsDue, type ScheduledCollectionsRun } from './schedule.ts';
export { getCollectionPolicy, updateCollectionPolicy } from './settings.ts';
export { deactivateAccount, reactivateAccount, statusHistory } from './staff.ts';
export { collectionRoutes } from './http.ts';
