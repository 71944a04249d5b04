// RUN-7: the monthly invoices go out as a throttled batch between the 1st and the 5th, never as a
// burst. 10,000 accounts in three time zones are billed on 1 September as the clock passes
// midnight in each zone; each invoice gets a delivery whose slot is reserved gaplessly and whose
// not_before is spread over the window at the configured rate, instance-wide.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { type TestRuntime, testRuntime } from '../support/runtime.ts';
import { seedReferenceData } from '../../src/setup/reference-data.ts';
import { advanceClock } from '../../src/scheduler.ts';
import { getDeliverySettings, queueInvoiceDeliveries } from '../../src/modules/notifications/index.ts';
import { startOfDayInZone } from '../../src/kernel/index.ts';

const ACCOUNTS = 10_000;
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver'];
let rt: TestRuntime;
const timings: Record<string, number> = {};

before(async () => {
  rt = await testRuntime({ simulatedClock: '2026-08-31T12:00:00Z' });
  await seedReferenceData(rt.ctx('test'));
  const t0 = performance.now();
  // Bulk set-up in SQL (the API would take minutes): accounts with one to three invoice
  // recipients, a contract billing since June and two desk phones each.
  await sql`
    INSERT INTO accounts (id, number, company_name, entity_id, currency, time_zone, locale, type, tax_status,
      status, address, po_number, created_at)
    SELECT 'acc_bulk_' || lpad(i::text, 5, '0'), (700000 + i)::text, 'Bulk Customer ' || i, e.id, e.currency,
      (${ZONES}::text[])[1 + i % 3], e.locale, 'online', 'taxable', 'active',
      '{"country": "US", "state": "TX"}'::jsonb, NULL, '2026-06-01T00:00:00Z'
    FROM generate_series(1, ${ACCOUNTS}::int) i CROSS JOIN billing_entities e WHERE e.code = 'US';
    `.execute(rt.handle.db);
  await sql`
    INSERT INTO account_contacts (account_id, role, position, email, name, is_primary)
    SELECT a.id, 'invoice', p, 'billing' || p || '@' || a.number || '.example', NULL, p = 0
    FROM accounts a CROSS JOIN generate_series(0, 2) p
    WHERE a.id LIKE 'acc_bulk_%' AND p <= a.number::int % 3;
    INSERT INTO account_contacts (account_id, role, position, email, name, is_primary)
    SELECT id, 'receipt', 0, 'billing0@' || number || '.example', NULL, false FROM accounts WHERE id LIKE 'acc_bulk_%';
    INSERT INTO contracts (id, account_id, signature_date, free_months, billing_start_date, term_months,
      commitments, created_at)
    SELECT 'con_' || substr(id, 5), id, '2026-06-01', 0, '2026-06-01', NULL, '{}', '2026-06-01T00:00:00Z'
    FROM accounts WHERE id LIKE 'acc_bulk_%';
    INSERT INTO inventory_items (id, account_id, item_code, quantity, added_on, removed_on, attributes, created_at)
    SELECT 'inv_' || substr(id, 5), id, 'device.desk-phone', 2, '2026-06-01', NULL, '{}', '2026-06-01T00:00:00Z'
    FROM accounts WHERE id LIKE 'acc_bulk_%';
  `.execute(rt.handle.db);
  timings.setup = performance.now() - t0;
});

after(async () => {
  await rt.close();
  console.log(
    `# timings (ms): ${Object.entries(timings)
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}`,
  );
});

test('10,000 September invoices get 10,000 deliveries spread from 00:00 on the 1st to the 5th at the configured rate', async () => {
  const { perMinute, windowLastDay } = await getDeliverySettings(rt.ctx('test'));
  assert.equal(perMinute, 2, 'the default: 10,000 invoices take about 3.5 days');
  assert.equal(windowLastDay, 5);

  // The clock passes midnight in New York, Chicago and Denver: three bill runs, each queued.
  const t0 = performance.now();
  const moved = await advanceClock(rt, new Date('2026-09-01T08:00:00Z'), 'test');
  timings.billRunsAndQueue = performance.now() - t0;
  assert.deepEqual(
    moved.billRuns.map((r) => [r.at, r.invoicesCreated]),
    [
      ['2026-09-01T04:00:00.000Z', 3333],
      ['2026-09-01T05:00:00.000Z', 3334],
      ['2026-09-01T06:00:00.000Z', 3333],
    ],
  );
  assert.equal(moved.deliveries.queued, ACCOUNTS);
  assert.equal(moved.deliveries.attempted, 0, 'no transport attached: queued, not sent');

  const rows = await rt.handle.db
    .selectFrom('deliveries')
    .innerJoin('accounts', 'accounts.id', 'deliveries.account_id')
    .select([
      'deliveries.slot',
      'deliveries.not_before',
      'deliveries.window_month',
      'deliveries.status',
      'deliveries.recipients',
      'accounts.time_zone',
    ])
    .orderBy('deliveries.slot')
    .execute();
  assert.equal(rows.length, ACCOUNTS);
  assert.ok(rows.every((r) => r.window_month === '2026-09' && r.status === 'queued'));
  // Gapless slots, like invoice numbers.
  assert.deepEqual(
    rows.map((r) => r.slot),
    rows.map((_, i) => i),
  );
  // ACC-3: up to three recipients here, the primary first.
  assert.ok(
    rows.every((r) => {
      const list = r.recipients as { email: string }[];
      return list.length >= 1 && list.length <= 3 && list[0]!.email.startsWith('billing0@');
    }),
  );

  const windows = new Map(
    ZONES.map((z) => [
      z,
      {
        start: startOfDayInZone('2026-09-01', z).getTime(),
        end: startOfDayInZone(`2026-09-0${windowLastDay + 1}`, z).getTime(),
      },
    ]),
  );
  const interval = 60_000 / perMinute;
  const times = rows.map((r) => new Date(r.not_before).getTime());
  rows.forEach((r, i) => {
    const w = windows.get(r.time_zone)!;
    const t = times[i]!;
    assert.ok(t >= w.start, `slot ${i} opens before 00:00 on the 1st in ${r.time_zone}`);
    assert.ok(t < w.end, `slot ${i} falls after the 5th in ${r.time_zone}`);
    if (i > 0) assert.ok(t - times[i - 1]! >= interval, `slots ${i - 1} and ${i} are closer than the rate`);
  });
  // Never more than perMinute in any minute, instance-wide.
  const perMinuteCount = new Map<number, number>();
  for (const t of times)
    perMinuteCount.set(Math.floor(t / 60_000), (perMinuteCount.get(Math.floor(t / 60_000)) ?? 0) + 1);
  assert.ok(Math.max(...perMinuteCount.values()) <= perMinute);
  // The batch starts at the first bill run and spreads over days, not minutes.
  assert.equal(new Date(times[0]!).toISOString(), '2026-09-01T04:00:00.000Z');
  const spreadHours = (times[times.length - 1]! - times[0]!) / 3_600_000;
  assert.ok(spreadHours > 80 && spreadHours < 96, `spread over ${spreadHours.toFixed(1)} h`);

  // Queueing again (or on another worker) adds nothing.
  const again = await queueInvoiceDeliveries(rt.ctx('test'), { sweep: true });
  assert.equal(again.queued, 0);
  const slots = await rt.handle.db.selectFrom('delivery_windows').selectAll().execute();
  assert.deepEqual(
    slots.map((w) => [w.month, w.slots_taken]),
    [['2026-09', ACCOUNTS]],
  );
});
