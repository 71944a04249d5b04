// An import's sums and call classes are written a column at a time (insertColumns): by a binary
// COPY on a server, by unnest embedded (the suite runs on both). Either way, every row reads back
// as it was given: texts (any UTF-8), NULLs, dates, and integers beyond 32 bits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { ArrivalTotal } from './domain/arrival.ts';
import { type CallClassRow, insertCallClasses, insertUsageTotals } from './repo.ts';
import { type TestApi, testApi } from '../../../test/support/api.ts';

let api: TestApi;
before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
});
after(() => api.close());

const BATCH = 9_000_000_001;

test('call classes read back as written, 45,000 of them', async () => {
  const db = api.rt.ctx('test').db;
  const classes: CallClassRow[] = Array.from({ length: 45_000 }, (_, i) => ({
    class: 5_000_000_000 + i,
    account_id: i % 2 === 0 ? `acc_a_${i}` : `acc_ç_日本_${i}`,
    usage_month: i % 3 === 0 ? '2026-01' : '2025-12',
    direction: i % 4 === 0 ? 'inbound' : 'outbound',
    call_type: i % 5 === 0 ? null : 'international',
    rounding: i % 5 === 0 ? null : 'six-second',
    allowance: i % 7 === 0 ? '301' : null,
    rate_prefix: i % 5 === 0 ? null : `55${i % 97}`,
    rate_from: i % 5 === 0 ? null : i % 2 === 0 ? '2025-01-01' : '1999-12-31',
    rate_per_minute: i % 5 === 0 ? null : 3_000_000_000 + i,
    unrated_reason: i % 5 === 0 ? 'no "international" rate, tab\there' : null,
  }));
  await insertCallClasses(db, BATCH, classes);
  const r = await sql<CallClassRow & { batch: number }>`
    SELECT batch, class, account_id, usage_month, direction, call_type, rounding, allowance, rate_prefix, rate_from,
      rate_per_minute, unrated_reason
    FROM call_classes WHERE batch = ${BATCH} ORDER BY class`.execute(db);
  assert.equal(r.rows.length, classes.length);
  r.rows.forEach((row, i) => {
    const { batch, ...rest } = row;
    assert.equal(Number(batch), BATCH);
    assert.deepEqual(
      {
        ...rest,
        class: Number(rest.class),
        rate_per_minute: rest.rate_per_minute && Number(rest.rate_per_minute),
      },
      classes[i],
      `class ${i}`,
    );
  });
});

test('sums read back as written', async () => {
  const db = api.rt.ctx('test').db;
  const rate = {
    prefix: '353 84',
    description: 'Irish premium',
    callType: 'premium_domestic' as const,
    ratePerMinute: 4_294_967_296 + 7,
    rounding: 'nearest-minute' as const,
    validFrom: '2026-02-28',
    validTo: null,
  };
  const sums: ArrivalTotal[] = [
    {
      accountId: 'acc_sum_1',
      usageMonth: '2026-01',
      callType: 'domestic',
      allowance: 'plan',
      rate: null,
      calls: 3,
      billableSeconds: 5_000_000_000,
      context: 'ctx/1+=',
    },
    {
      accountId: 'acc_sum_ü',
      usageMonth: '2026-02',
      callType: 'premium_domestic',
      allowance: null,
      rate,
      calls: 2_000_000,
      billableSeconds: 0,
      context: '',
    },
  ];
  await insertUsageTotals(db, BATCH, sums);
  const r = await sql<Record<string, unknown>>`
    SELECT account_id, usage_month, batch::text, call_type, allowance, rate_prefix, rate_from,
      rate_per_minute::text, calls, billable_seconds::text, context
    FROM usage_totals WHERE batch = ${BATCH} ORDER BY account_id`.execute(db);
  assert.deepEqual(r.rows, [
    {
      account_id: 'acc_sum_1',
      usage_month: '2026-01',
      batch: String(BATCH),
      call_type: 'domestic',
      allowance: 'plan',
      rate_prefix: null,
      rate_from: null,
      rate_per_minute: null,
      calls: 3,
      billable_seconds: '5000000000',
      context: 'ctx/1+=',
    },
    {
      account_id: 'acc_sum_ü',
      usage_month: '2026-02',
      batch: String(BATCH),
      call_type: 'premium_domestic',
      allowance: null,
      rate_prefix: '353 84',
      rate_from: '2026-02-28',
      rate_per_minute: '4294967303',
      calls: 2_000_000,
      billable_seconds: '0',
      context: '',
    },
  ]);
});
