// A bill run prices what imports have finished writing, up to a batch (the watermark). An import
// still writing when the run starts holds a lower batch number than any later one: if the run
// took the watermark without waiting for it, that import's calls would sit below every future cut
// and never be billed. So the run waits for imports in flight, and bills what they wrote.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from '../../src/kernel/index.ts';
import { billRun } from '../../src/modules/invoicing/index.ts';
import { type CdrRow, importCdrs } from '../../src/modules/usage/index.ts';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let accountId: string;

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  accountId = (await createTestAccount(api, { companyName: 'Midnight Import Co' })).id;
  await signAndEquip(api, accountId, { signatureDate: '2026-01-01' }, []);
  const items = await api.post(`/v1/accounts/${accountId}/inventory`, {
    items: [
      { itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-01-01', attributes: { extension: '101' } },
    ],
  });
  assert.equal(items.status, 201, JSON.stringify(items.body));
  // Past the 1st, without the scheduler's own bill run (the test starts it).
  const clock = api.rt.clock;
  assert.ok(clock instanceof SimulatedClock);
  clock.set(new Date('2026-02-02T00:00:00Z'));
});

after(() => api.close());

test('a bill run started while an import is writing waits for it, then bills its calls', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const writing = new Promise<void>((resolve) => (started = resolve));
  // An import that has begun (its transaction and batch number taken) and is still reading rows.
  async function* rows(): AsyncGenerator<CdrRow> {
    started();
    await gate;
    yield {
      row: 2,
      raw: {
        callId: 'late-night-1',
        account: accountId,
        origin: '101',
        destination: '+1 212 736 5000',
        startTime: '2026-01-31T23:00:00Z', // 17:00 in Austin: January
        endTime: '2026-01-31T23:30:00Z',
        direction: 'outbound',
      },
    };
  }
  const imported = importCdrs(api.rt.ctx('test'), rows(), { source: 'test' });
  await writing;

  let runDone = false;
  const run = billRun(api.rt.ctx('test'), { month: '2026-02' }).then((r) => {
    runDone = true;
    return r;
  });
  // The run has had ample time to take its watermark and bill, had it not waited.
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (api.rt.databaseUrl) assert.equal(runDone, false, 'the bill run waits for the import in flight');

  release();
  assert.equal((await imported).accepted, 1);
  const result = await run;
  assert.equal(result.invoicesCreated, 1, JSON.stringify(result));
  const invoice = await invoiceFor(api, accountId, '2026-02');
  const plan = invoice.lines.find((l: any) => l.lineType === 'plan_minutes');
  assert.equal(plan?.quantity, 30 * 60, "the import's 30-minute call is on the February invoice");
});
