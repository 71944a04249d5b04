// The month's bill run starts at 00:00 on the 1st in the account's own time zone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let la: string;
let tokyo: string;

before(async () => {
  api = await testApi({ simulatedClock: '2026-08-15T00:00:00Z' });
  la = (await createTestAccount(api, { companyName: 'Sunset Studios', timeZone: 'America/Los_Angeles' })).id;
  tokyo = (await createTestAccount(api, { companyName: 'Shibuya Trading', timeZone: 'Asia/Tokyo' })).id;
  for (const id of [la, tokyo]) {
    await signAndEquip(api, id, { signatureDate: '2026-08-01' }, [
      { itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-08-01' },
    ]);
  }
});

after(() => api.close());

test("Tokyo's 1 September begins on 31 August UTC: its invoice comes first", async () => {
  const r = await api.post('/v1/clock/advance', { to: '2026-08-31T15:30:00Z' });
  assert.equal(r.status, 200);
  assert.deepEqual(
    r.body.billRuns.filter((b: any) => b.invoicesCreated > 0).map((b: any) => [b.at, b.timeZone, b.month]),
    [['2026-08-31T15:00:00.000Z', 'Asia/Tokyo', '2026-09']],
  );
  const inv = await invoiceFor(api, tokyo, '2026-09');
  assert.equal(inv.issueDate, '2026-09-01');
  assert.equal(await invoiceFor(api, la, '2026-09'), null);
});

test('Los Angeles is billed at its own midnight (07:00 UTC in summer), not a minute before', async () => {
  await api.post('/v1/clock/advance', { to: '2026-09-01T06:59:00Z' });
  assert.equal(await invoiceFor(api, la, '2026-09'), null);
  const r = await api.post('/v1/clock/advance', { to: '2026-09-01T07:00:00Z' });
  assert.deepEqual(
    r.body.billRuns.map((b: any) => [b.at, b.timeZone]),
    [['2026-09-01T07:00:00.000Z', 'America/Los_Angeles']],
  );
  const inv = await invoiceFor(api, la, '2026-09');
  assert.equal(inv.issueDate, '2026-09-01');
  assert.equal(inv.total, 2495);
});

test('in winter Los Angeles is UTC−8: the 1 December run is at 08:00 UTC', async () => {
  await api.post('/v1/clock/advance', { to: '2026-12-01T07:59:00Z' });
  assert.equal(await invoiceFor(api, la, '2026-12'), null);
  assert.notEqual(await invoiceFor(api, tokyo, '2026-12'), null);
  await api.post('/v1/clock/advance', { to: '2026-12-01T08:00:00Z' });
  assert.notEqual(await invoiceFor(api, la, '2026-12'), null);
});
