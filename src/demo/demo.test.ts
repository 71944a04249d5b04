import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { testRuntime, type TestRuntime } from '../../test/support/runtime.ts';
import { isBillingError, sum } from '../kernel/index.ts';
import { type Account, listAccounts, listBillingEntities } from '../modules/accounts/index.ts';
import { listContracts, listInventory } from '../modules/inventory/index.ts';
import { type Invoice, getInvoice, listInvoices } from '../modules/invoicing/index.ts';
import { type DemoSummary, loadDemo } from './index.ts';

let rt: TestRuntime;
let summary: DemoSummary;
let accounts: Account[];
let invoices: Invoice[];
const logLines: string[] = [];

async function allInvoices(): Promise<Invoice[]> {
  const ctx = rt.ctx('test');
  const out: Invoice[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await listInvoices(ctx, { limit: 200, ...(cursor ? { cursor } : {}) });
    out.push(...page.data);
    if (!page.nextCursor) return out;
    cursor = page.nextCursor;
  }
}

before(async () => {
  rt = await testRuntime({ simulatedClock: '2026-11-20' });
  summary = await loadDemo(rt, { log: (m) => logLines.push(m) });
  accounts = (await listAccounts(rt.ctx('test'), { limit: 200 })).data;
  invoices = await allInvoices();
});

after(async () => {
  await rt?.close();
});

test('a dozen accounts across the three billing entities', () => {
  assert.ok(accounts.length >= 12 && accounts.length <= 14, `${accounts.length} accounts`);
  assert.equal(summary.accounts, accounts.length);
  assert.deepEqual([...new Set(accounts.map((a) => a.entityCode))].sort(), ['CA', 'MX', 'US']);
  for (const a of accounts) {
    const primaries = a.invoiceRecipients.filter((r) => r.primary);
    assert.equal(primaries.length, 1, a.companyName);
    assert.ok(a.invoiceRecipients.length <= 5, a.companyName);
    assert.ok(a.receiptEmail, a.companyName);
    assert.ok(a.address.state, a.companyName);
  }
  assert.ok(accounts.some((a) => a.taxStatus === 'exempt'));
  assert.ok(accounts.some((a) => a.type === 'corporate') && accounts.some((a) => a.type === 'online'));
  assert.ok(accounts.some((a) => a.poNumber));
  assert.ok(logLines.some((l) => l.startsWith('bill run ')));
});

test('inventory is dated between the signature and today, with at least one removal', async () => {
  const ctx = rt.ctx('test');
  let removals = 0;
  for (const a of accounts) {
    const [contract] = await listContracts(ctx, a.id);
    assert.ok(contract, a.companyName);
    assert.ok(contract.signatureDate >= '2026-03-01' && contract.signatureDate <= '2026-11-20');
    for (const item of await listInventory(ctx, a.id, {})) {
      assert.ok(item.addedOn >= contract.signatureDate && item.addedOn <= '2026-11-20', item.itemCode);
      if (item.removedOn) {
        removals++;
        assert.ok(item.removedOn >= item.addedOn && item.removedOn <= '2026-11-20');
      }
    }
  }
  assert.ok(removals >= 1);
});

test('invoices exist for several months, up to the current one', () => {
  assert.equal(summary.invoices, invoices.length);
  const months = new Set(invoices.map((i) => i.billingMonth));
  assert.ok(months.size >= 6, `${months.size} months invoiced`);
  assert.ok(months.has('2026-11'));
  assert.equal(summary.months.at(-1), '2026-11');
  assert.deepEqual(
    [...months].sort(),
    [...months].sort().filter((m) => summary.months.includes(m!)),
  );
  // Every account is billed at most once per month and kind (rentals have their own, RUN-10).
  const keys = invoices.map((i) => `${i.accountId}|${i.billingMonth}|${i.kind}`);
  assert.equal(new Set(keys).size, keys.length);
});

test("every invoice's total is the sum of its lines", async () => {
  const ctx = rt.ctx('test');
  let partial = 0;
  for (const inv of invoices) {
    const full = await getInvoice(ctx, inv.id);
    assert.ok(full.lines && full.lines.length > 0, inv.number);
    assert.equal(full.total, sum(full.lines.map((l) => l.amount)), inv.number);
    partial += full.lines.filter((l) => l.lineType === 'partial_charges').length;
  }
  assert.ok(partial > 0, 'mid-month changes produce prorated lines');
});

test('mid-month changes are prorated on the next invoice; removals end at the month end', async () => {
  const ctx = rt.ctx('test');
  const linesOf = async (companyPrefix: string, month: string) => {
    const account = accounts.find((a) => a.companyName.startsWith(companyPrefix))!;
    const inv = invoices.find((i) => i.accountId === account.id && i.billingMonth === month);
    assert.ok(inv, `${companyPrefix} ${month}`);
    return (await getInvoice(ctx, inv.id)).lines!;
  };
  // RUN-3: 3 desk phones added on 20 August → 1 September shows 11/31 of them, and the full month.
  const sep = await linesOf('Harborview', '2026-09');
  const partial = sep.find((l) => l.lineType === 'partial_charges' && l.itemCode === 'device.desk-phone');
  assert.deepEqual(
    [partial?.quantity, partial?.prorateDays, partial?.periodDays, partial?.periodStart],
    [3, 11, 31, '2026-08-20'],
  );
  assert.equal(
    sep.find((l) => l.lineType === 'service_fee' && l.itemCode === 'device.desk-phone')?.quantity,
    21,
  );
  // 40 seats, 12 more from 16 August, 8 of them removed on 5 October (effective 31 October).
  const seats = async (month: string) =>
    (await linesOf('Brightline', month)).find((l) => l.lineType === 'contact_center')?.quantity;
  assert.deepEqual(
    [await seats('2026-08'), await seats('2026-09'), await seats('2026-10'), await seats('2026-11')],
    [40, 52, 52, 44],
  );
});

test('demo callers reach the toll-free numbers the inventory lists: rated, none left waiting', async () => {
  const ctx = rt.ctx('test');
  const tollFree: number[] = [];
  for (const inv of invoices) {
    for (const l of (await getInvoice(ctx, inv.id)).lines!) {
      if (l.lineType === 'toll_free_inbound') tollFree.push(l.amount);
    }
  }
  assert.ok(tollFree.length >= 5 && tollFree.every((a) => a > 0), JSON.stringify(tollFree));
  const waiting = await ctx.db
    .selectFrom('events')
    .select('payload')
    .where('type', '=', 'usage.calls_unrated')
    .execute();
  assert.deepEqual(waiting, [], 'no demo call waits for a rating');
});

test('invoice numbers are gapless per billing entity', async () => {
  const entities = await listBillingEntities(rt.ctx('test'));
  for (const e of entities) {
    const numbers = invoices
      .filter((i) => i.entityId === e.id)
      .map((i) => {
        assert.match(i.number, /^IN\d{11}$/);
        return Number(i.number.slice(2)) - e.invoiceNumberBase;
      })
      .sort((a, b) => a - b);
    assert.ok(numbers.length > 0, e.code);
    assert.deepEqual(
      numbers,
      numbers.map((_, i) => i + 1),
      `${e.code} numbers`,
    );
  }
});

test('loading the demo twice is refused', async () => {
  await assert.rejects(loadDemo(rt), (e: unknown) => isBillingError(e) && e.code === 'demo_already_loaded');
  assert.equal((await listAccounts(rt.ctx('test'), { limit: 200 })).data.length, accounts.length);
});
