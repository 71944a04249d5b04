import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Kysely, type QueryExecutorProvider, sql } from 'kysely';
import { entityAndAccount, fromMigration } from '../../../test/support/migrations.ts';
import { type TestApi, testApi } from '../../../test/support/api.ts';
import { type Database, canCopy, insertColumns } from '../index.ts';

const invoice = (db: Kysely<unknown>, id: string, number: string, month: string) =>
  sql`
    INSERT INTO invoices (id, number, entity_id, account_id, kind, billing_month, issue_date, due_date, currency,
      subtotal, total, status, legal_name, created_at)
    VALUES (${id}, ${number}, 'ent_1', 'acc_1', 'monthly', ${month}, '2026-02-01', '2026-02-16', 'USD', 1000,
      1000, 'to_pay', 'Tollbooth Telecom', now())`.execute(db);

/** Lines of these invoices, at positions from + 1, from + 2, … */
const lines = (db: Kysely<unknown>, from: number, ...invoiceIds: string[]) =>
  sql`
    INSERT INTO invoice_lines (invoice_id, position, line_type, description, quantity, unit_price, amount)
    SELECT invoice_id, ${from}::int + position, 'recurring', 'Desk phone', 1, 1000, 1000
    FROM unnest(${invoiceIds}::text[]) WITH ORDINALITY AS t(invoice_id, position)`.execute(db);

const lineCount = async (db: QueryExecutorProvider) =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM invoice_lines`.execute(db)).rows[0]!.n;

// After 018 an invoice line still names an invoice that exists (checked per statement instead of
// by a foreign key per line): a statement with one line of a missing invoice stores none of its
// lines and says which invoice; an invoice's id is fixed, and invoices are never emptied.
test('018: lines name an existing invoice, checked per statement; invoice ids fixed, no TRUNCATE', async () => {
  await fromMigration('017_import_by_batch', async (db, migrator) => {
    await entityAndAccount(db, 'Lines Co');
    await invoice(db, 'inv_a', 'IN10000000001', '2026-02');
    await lines(db, 0, 'inv_a', 'inv_a');

    assert.equal((await migrator.migrateTo('018_invoice_lines_checked_per_statement')).error, undefined);
    assert.equal(await lineCount(db), 2, 'lines kept');

    const keys = await sql<{ conname: string }>`
      SELECT conname FROM pg_constraint WHERE conrelid = 'invoice_lines'::regclass AND contype = 'f'`.execute(
      db,
    );
    assert.deepEqual(keys.rows, [], 'no per-line foreign key left');

    // An invoice and its lines, then lines of a missing invoice among good ones: all refused.
    await invoice(db, 'inv_b', 'IN10000000002', '2026-03');
    await lines(db, 0, 'inv_b', 'inv_b', 'inv_b');
    assert.equal(await lineCount(db), 5);
    await assert.rejects(lines(db, 10, 'inv_a', 'inv_nope', 'inv_b'), (e: Error & { code?: string }) => {
      assert.match(e.message, /invoice inv_nope, which does not exist/);
      assert.equal(e.code, '23503', 'a foreign key violation, as the key reported it');
      return true;
    });
    assert.equal(await lineCount(db), 5, 'none of the refused statement’s lines stored');

    // What the key also guarded: the invoice a line names cannot go or be renamed.
    await assert.rejects(sql`DELETE FROM invoices WHERE id = 'inv_a'`.execute(db), /cannot be deleted/);
    await assert.rejects(
      sql`UPDATE invoices SET id = 'inv_renamed' WHERE id = 'inv_a'`.execute(db),
      /issued and immutable/,
    );
    await assert.rejects(sql`TRUNCATE invoices CASCADE`.execute(db), /invoices cannot be deleted/);
    // What stays movable still moves; what 015 fixed stays fixed.
    await sql`UPDATE invoices SET status = 'paid', sent_on = '2026-02-02' WHERE id = 'inv_a'`.execute(db);
    await assert.rejects(
      sql`UPDATE invoices SET replaces = 'inv_b' WHERE id = 'inv_a'`.execute(db),
      /issued and immutable/,
    );
    await assert.rejects(sql`UPDATE invoices SET total = 1 WHERE id = 'inv_b'`.execute(db), /immutable/);
    assert.equal(await lineCount(db), 5);
  });
});

// On the database the suite runs on (a server writes lines by binary COPY, the bill run's way; the
// embedded one by INSERT from unnest): lines of a missing invoice are refused with the rest.
let api: TestApi;
before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
});
after(() => api.close());

test('lines written the bill run’s way are refused together when one names a missing invoice', async () => {
  const db = api.rt.ctx('test').db;
  const types = {
    invoice_id: 'text',
    position: 'int',
    line_type: 'text',
    description: 'text',
    quantity: 'bigint',
    unit_price: 'bigint',
    amount: 'bigint',
  } as const;
  const line = (invoiceId: string, position: number) => ({
    invoice_id: invoiceId,
    position,
    line_type: 'recurring',
    description: 'Desk phone',
    quantity: 1,
    unit_price: 1000,
    amount: 1000,
  });
  const stored = await lineCount(db);
  const rows = Array.from({ length: 3_000 }, (_, i) => line(`inv_missing_${i % 7}`, i));
  await assert.rejects(
    insertColumns(db, 'invoice_lines' as keyof Database & string, types, rows),
    /invoice inv_missing_\d, which does not exist/,
  );
  assert.equal(await lineCount(db), stored, 'nothing stored');
  // Whichever way it went, it is the way the bill run writes on this database.
  assert.equal(await canCopy(db), process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '');
});
