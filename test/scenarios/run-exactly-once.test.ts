// RUN-9 and RUN-11: one invoice per account per month and gapless numbers, however the run is
// started: twice at once, crashed mid-batch and restarted, or (on a server) from two processes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { type TestRuntime, testRuntime } from '../support/runtime.ts';
import { seedReferenceData } from '../../src/setup/reference-data.ts';
import { createAccount } from '../../src/modules/accounts/index.ts';
import { addInventory, createContract } from '../../src/modules/inventory/index.ts';
import { billRun } from '../../src/modules/invoicing/index.ts';

const ACCOUNTS = 45;
let rt: TestRuntime;

before(async () => {
  rt = await testRuntime({ simulatedClock: '2027-01-15T00:00:00Z' });
  const ctx = rt.ctx('test');
  await seedReferenceData(ctx);
  const entities = ['US', 'CA', 'MX'];
  for (let i = 0; i < ACCOUNTS; i++) {
    const entity = entities[i % 3]!;
    const a = await createAccount(ctx, {
      companyName: `Customer ${i}`,
      entity,
      address: { country: entity, state: entity === 'US' ? 'TX' : entity === 'CA' ? 'ON' : 'JAL' },
      invoiceRecipients: [{ email: `billing${i}@example.com`, primary: true }],
    });
    await createContract(ctx, a.id, { signatureDate: '2026-08-01' });
    await addInventory(ctx, a.id, [
      { itemCode: 'device.desk-phone', quantity: 1 + (i % 4), addedOn: '2026-08-01' },
    ]);
  }
});

after(() => rt.close());

async function invoiceStats(month: string) {
  const rows = await rt.handle.db
    .selectFrom('invoices')
    .select(['account_id', 'number', 'entity_id'])
    .where('billing_month', '=', month)
    .execute();
  return { count: rows.length, accounts: new Set(rows.map((r) => r.account_id)).size };
}

/** Every entity's numbers, over all months, run from its first number with no gap. */
async function assertGapless() {
  const rows = await rt.handle.db
    .selectFrom('invoices')
    .innerJoin('billing_entities', 'billing_entities.id', 'invoices.entity_id')
    .select(['invoices.number', 'billing_entities.invoice_number_base as base', 'billing_entities.code'])
    .execute();
  const byEntity = new Map<string, number[]>();
  for (const r of rows) {
    const list = byEntity.get(r.code) ?? [];
    list.push(Number(r.number.slice(2)) - r.base);
    byEntity.set(r.code, list);
  }
  assert.equal(byEntity.size, 3);
  for (const [code, seqs] of byEntity) {
    seqs.sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      `numbers of ${code} have a gap or a duplicate`,
    );
  }
}

test('two bill runs for the same month at once leave exactly one invoice per account', async () => {
  const [a, b] = await Promise.all([
    billRun(rt.ctx('worker-a'), { month: '2026-09', batchSize: 4, concurrency: 2 }),
    billRun(rt.ctx('worker-b'), { month: '2026-09', batchSize: 4 }),
  ]);
  assert.equal(a.invoicesCreated + b.invoicesCreated, ACCOUNTS);
  assert.deepEqual(await invoiceStats('2026-09'), { count: ACCOUNTS, accounts: ACCOUNTS });
  // And a third run afterwards finds nothing to do.
  const c = await billRun(rt.ctx('worker-c'), { month: '2026-09' });
  assert.equal(c.invoicesCreated, 0);
  await assertGapless();
});

test('a run that crashes inside a batch rolls that batch back and a restart completes it', async () => {
  await assert.rejects(
    billRun(rt.ctx('crashy'), { month: '2026-10', batchSize: 10, failAfterBatches: 2 }),
    /fault injected/,
  );
  // Two committed batches survive; the third, written but not committed, left nothing behind.
  assert.deepEqual(await invoiceStats('2026-10'), { count: 20, accounts: 20 });
  await assertGapless();
  const r = await billRun(rt.ctx('restart'), { month: '2026-10', batchSize: 10 });
  assert.equal(r.invoicesCreated, ACCOUNTS - 20);
  assert.deepEqual(await invoiceStats('2026-10'), { count: ACCOUNTS, accounts: ACCOUNTS });
  await assertGapless();
});

// Separate processes need a database they can share: a PostgreSQL server (the CI's second pass).
if (process.env.DATABASE_URL) {
  const cli = (args: string[]) =>
    spawn(process.execPath, ['bin/tollbooth.js', '--database-url', rt.databaseUrl!, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const exit = (p: ReturnType<typeof cli>) =>
    new Promise<number>((resolve) => p.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));

  test('two processes running the same month at once: one invoice per account', async () => {
    const procs = [
      cli(['bill-run', '--month', '2026-11', '--batch-size', '3']),
      cli(['bill-run', '--month', '2026-11', '--batch-size', '3']),
    ];
    const codes = await Promise.all(procs.map(exit));
    assert.deepEqual(codes, [0, 0]);
    assert.deepEqual(await invoiceStats('2026-11'), { count: ACCOUNTS, accounts: ACCOUNTS });
    await assertGapless();
  });

  test('a process killed (SIGKILL) halfway, then restarted: one invoice per account, no gap', async () => {
    const p = cli(['bill-run', '--month', '2026-12', '--batch-size', '1']);
    const exited = exit(p);
    for (let i = 0; i < 400 && (await invoiceStats('2026-12')).count < 5; i++) await sleep(25);
    p.kill('SIGKILL');
    await exited;
    const partial = (await invoiceStats('2026-12')).count;
    assert.ok(partial > 0 && partial < ACCOUNTS, `killed after ${partial} invoices`);
    await assertGapless();
    assert.equal(await exit(cli(['bill-run', '--month', '2026-12'])), 0);
    assert.deepEqual(await invoiceStats('2026-12'), { count: ACCOUNTS, accounts: ACCOUNTS });
    await assertGapless();
  });
}
