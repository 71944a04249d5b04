import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Kysely, sql } from 'kysely';
import { entityAndAccount, fromMigration } from '../../../test/support/migrations.ts';

const invoice = (
  db: Kysely<unknown>,
  id: string,
  number: string,
  status = 'to_pay',
  replaces: string | null = null,
) =>
  sql`
    INSERT INTO invoices (id, number, entity_id, account_id, kind, billing_month, issue_date, due_date, currency,
      subtotal, total, status, legal_name, created_at${replaces === null ? sql`` : sql`, replaces`})
    VALUES (${id}, ${number}, 'ent_1', 'acc_1', 'monthly', '2026-02', '2026-02-01', '2026-02-16', 'USD', 1000,
      1000, ${status}, 'Tollbooth Telecom', now()${replaces === null ? sql`` : sql`, ${replaces}`})`.execute(
    db,
  );

const cut = (db: Kysely<unknown>, invoiceId: string, through: number) =>
  sql`
    INSERT INTO usage_cuts (account_id, usage_month, invoice_id, after_batch, through_batch, plan_available,
      plan_seconds, low_usage, overage_rate, low_usage_rate)
    VALUES ('acc_1', '2026-01', ${invoiceId}, -1, ${through}, 60000, 600, '{}', 20000, 30000)`.execute(db);

// After 015 (RUN-12) a month may have a voided invoice and its replacement: one monthly invoice in
// force per account and month, one replacement per voided invoice, what it replaces fixed; the
// cuts of a reissued invoice stop counting, so the replacement's cut may end at the same batch.
test('015: one monthly invoice in force per account-month, a replacement names the voided one', async () => {
  await fromMigration('014_call_id_bytewise', async (db, migrator) => {
    await entityAndAccount(db, 'Reissue Co');
    await invoice(db, 'inv_a', 'IN10000000001');
    await cut(db, 'inv_a', 7);
    await assert.rejects(invoice(db, 'inv_x', 'IN10000000009', 'void'), /invoices_one_monthly|duplicate key/);

    assert.equal((await migrator.migrateTo('015_reissue')).error, undefined);

    const kept = await sql<{ id: string; reissue: boolean; replaces: string | null }>`
      SELECT id, reissue, replaces FROM invoices`.execute(db);
    assert.deepEqual(
      kept.rows,
      [{ id: 'inv_a', reissue: false, replaces: null }],
      'invoices kept, none reissued',
    );
    const cuts = await sql<{ reissued: boolean }>`SELECT reissued FROM usage_cuts`.execute(db);
    assert.deepEqual(cuts.rows, [{ reissued: false }], 'cuts kept, in force');

    // A second monthly invoice in force for the month is refused, as before.
    await assert.rejects(invoice(db, 'inv_b', 'IN10000000002'), /invoices_one_monthly|duplicate key/);
    // Voided (to be reissued), the month takes its replacement.
    await sql`UPDATE invoices SET status = 'void', reissue = true WHERE id = 'inv_a'`.execute(db);
    await invoice(db, 'inv_b', 'IN10000000002', 'to_pay', 'inv_a');
    await assert.rejects(invoice(db, 'inv_c', 'IN10000000003'), /invoices_one_monthly|duplicate key/);
    await assert.rejects(
      invoice(db, 'inv_c', 'IN10000000003', 'void', 'inv_a'),
      /invoices_one_replacement|duplicate key/,
      'one replacement per voided invoice',
    );
    await assert.rejects(
      sql`UPDATE invoices SET replaces = NULL WHERE id = 'inv_b'`.execute(db),
      /immutable/,
      'what a replacement replaces is fixed',
    );

    // The replacement's cut may end where the voided invoice's did, once that one is released.
    await assert.rejects(cut(db, 'inv_b', 7), /usage_cuts_in_force|duplicate key/);
    await sql`UPDATE usage_cuts SET reissued = true WHERE invoice_id = 'inv_a'`.execute(db);
    await cut(db, 'inv_b', 7);
    const after = await sql<{ invoice_id: string; reissued: boolean }>`
      SELECT invoice_id, reissued FROM usage_cuts ORDER BY invoice_id`.execute(db);
    assert.deepEqual(after.rows, [
      { invoice_id: 'inv_a', reissued: true },
      { invoice_id: 'inv_b', reissued: false },
    ]);
  });
});
