// The API as integrators meet it: clear errors, nothing half-written, idempotent POSTs,
// cursor pagination, authentication, OpenAPI.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { type TestApi, createTestAccount, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let accountId: string;

before(async () => {
  api = await testApi({ simulatedClock: '2026-07-01T00:00:00Z' });
  accountId = (await createTestAccount(api)).id;
});

after(() => api.close());

const inventoryCount = async (id: string) => (await api.get(`/v1/accounts/${id}/inventory`)).body.data.length;

test('unknown account → 404 account_not_found', async () => {
  const r = await api.get('/v1/accounts/acc_nope');
  assert.equal(r.status, 404);
  assert.equal(r.body.code, 'account_not_found');
  assert.match(r.body.message, /acc_nope/);
  const c = await api.post('/v1/accounts/acc_nope/contracts', { signatureDate: '2026-07-01' });
  assert.equal(c.status, 404);
});

test('inventory before the contract exists → 422 no_contract, nothing written', async () => {
  const r = await api.post(`/v1/accounts/${accountId}/inventory`, {
    items: [{ itemCode: 'device.desk-phone', quantity: 1, addedOn: '2026-07-01' }],
  });
  assert.equal(r.status, 422);
  assert.equal(r.body.code, 'no_contract');
  assert.equal(await inventoryCount(accountId), 0);
});

test('invalid dates → 422 invalid_date naming the field', async () => {
  for (const date of ['2026-02-30', '2026-13-01', 'yesterday', '2026-7-1']) {
    const r = await api.post(`/v1/accounts/${accountId}/contracts`, { signatureDate: date });
    assert.equal(r.status, 422, date);
    assert.equal(r.body.code, 'invalid_date');
    assert.equal(r.body.details.field, 'signatureDate');
  }
  assert.equal((await api.get(`/v1/accounts/${accountId}/contracts`)).body.data.length, 0);
});

test('bad inventory lines are refused as a whole: one bad line writes nothing', async () => {
  await signAndEquip(api, accountId, { signatureDate: '2026-07-01' }, []);
  const good = { itemCode: 'device.desk-phone', quantity: 2, addedOn: '2026-07-02' };
  const cases: [Record<string, unknown>, string][] = [
    [{ ...good, quantity: -1 }, 'invalid_quantity'],
    [{ ...good, quantity: 0 }, 'invalid_quantity'],
    [{ ...good, quantity: 1.5 }, 'invalid_quantity'],
    [{ ...good, itemCode: 'device.unicorn' }, 'unknown_catalog_item'],
    [{ ...good, addedOn: '2026-06-30' }, 'before_contract'],
    [{ ...good, addedOn: '2026-02-31' }, 'invalid_date'],
    [{ ...good, itemCode: 'hw.desk-phone' }, 'not_a_service'],
  ];
  for (const [bad, code] of cases) {
    const r = await api.post(`/v1/accounts/${accountId}/inventory`, { items: [good, bad] });
    assert.equal(r.status, 422, JSON.stringify(bad));
    assert.equal(r.body.code, code);
    assert.match(r.body.details.field ?? r.body.message, /items\[1\]/);
  }
  assert.equal(await inventoryCount(accountId), 0);
});

test('schema violations → 400 invalid_request with the path', async () => {
  const r = await api.post('/v1/accounts', { companyName: 'X' });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'invalid_request');
  assert.ok(Array.isArray(r.body.details.errors));
  const month = await api.post('/v1/bill-runs', { month: 'August' });
  assert.equal(month.status, 400);
});

test('account rules: at most 5 recipients, exactly one primary', async () => {
  const six = Array.from({ length: 6 }, (_, i) => ({ email: `r${i}@x.example`, primary: i === 0 }));
  const r = await api.put(`/v1/accounts/${accountId}/invoice-recipients`, { recipients: six });
  assert.equal(r.status, 422);
  assert.equal(r.body.code, 'too_many_recipients');
  const none = await api.put(`/v1/accounts/${accountId}/invoice-recipients`, {
    recipients: [{ email: 'a@x.example', primary: false }],
  });
  assert.equal(none.body.code, 'one_primary_contact');
  const ok = await api.put(`/v1/accounts/${accountId}/invoice-recipients`, {
    recipients: [
      { email: 'cc@x.example', primary: false },
      { email: 'boss@x.example', primary: true },
    ],
    receiptEmail: 'ap@x.example',
  });
  assert.equal(ok.status, 200);
  assert.deepEqual(
    ok.body.invoiceRecipients.map((r: any) => r.email),
    ['boss@x.example', 'cc@x.example'],
  );
  assert.equal(ok.body.receiptEmail, 'ap@x.example');
});

test('Idempotency-Key: a retried POST returns the first result and creates nothing new', async () => {
  const body = {
    companyName: 'Retry Corp',
    entity: 'MX',
    address: { country: 'MX', state: 'JAL' },
    invoiceRecipients: [{ email: 'pagos@retry.example', primary: true }],
  };
  const headers = { 'idempotency-key': 'create-retry-corp' };
  const first = await api.post('/v1/accounts', body, headers);
  const second = await api.post('/v1/accounts', body, headers);
  assert.equal(first.status, 201);
  assert.equal(second.status, 201);
  assert.equal(second.body.id, first.body.id);
  assert.equal(second.headers['idempotent-replayed'], 'true');
  const all = await api.get('/v1/accounts?limit=200');
  assert.equal(all.body.data.filter((a: any) => a.companyName === 'Retry Corp').length, 1);
  const other = await api.post('/v1/accounts', { ...body, companyName: 'Other' }, headers);
  assert.equal(other.status, 422);
  assert.equal(other.body.code, 'idempotency_key_reused');
});

test('cursor pagination walks every account exactly once', async () => {
  for (let i = 0; i < 5; i++) await createTestAccount(api, { companyName: `Page ${i}` });
  const total = (await api.get('/v1/accounts?limit=200')).body.data.length;
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api.get(`/v1/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.ok(page.body.data.length <= 2);
    seen.push(...page.body.data.map((a: any) => a.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.equal(seen.length, total);
  assert.equal(new Set(seen).size, total);
  const tooBig = await api.get('/v1/accounts?limit=500');
  assert.equal(tooBig.status, 400);
});

test('authentication: no key → 401; an auditor key cannot write', async () => {
  const anon = await api.app.inject({ method: 'GET', url: '/v1/accounts' });
  assert.equal(anon.statusCode, 401);
  assert.equal(JSON.parse(anon.body).code, 'api_key_required');
  const bad = await api.app.inject({
    method: 'GET',
    url: '/v1/accounts',
    headers: { authorization: 'Bearer tb_wrong' },
  });
  assert.equal(JSON.parse(bad.body).code, 'invalid_api_key');
  const created = await api.post('/v1/api-keys', { name: 'auditor', role: 'auditor' });
  assert.equal(created.status, 201);
  const asAuditor = (method: 'GET' | 'POST', url: string, payload?: object) =>
    api.app.inject({ method, url, payload, headers: { authorization: `Bearer ${created.body.key}` } });
  assert.equal((await asAuditor('GET', '/v1/accounts')).statusCode, 200);
  const denied = await asAuditor('POST', '/v1/bill-runs', { month: '2026-07' });
  assert.equal(denied.statusCode, 403);
  assert.equal(JSON.parse(denied.body).code, 'read_only_key');
  // The key is stored only as a hash.
  const stored = await api.rt.handle.db.selectFrom('api_keys').select('key_hash').execute();
  assert.ok(stored.every((k) => !k.key_hash.startsWith('tb_')));
});

test('OpenAPI 3.1 at /openapi.json, reference at /docs, health and metrics', async () => {
  const spec = await api.get('/openapi.json');
  assert.equal(spec.status, 200);
  assert.equal(spec.body.openapi, '3.1.0');
  for (const path of [
    '/v1/accounts',
    '/v1/invoices',
    '/v1/bill-runs',
    '/v1/clock/advance',
    '/v1/accounts/{id}/inventory',
  ]) {
    assert.ok(spec.body.paths[path], `${path} documented`);
  }
  // A CDR batch's items name their fields (without constraining them: a bad item is reported by
  // its position, not by refusing the batch).
  const batch = spec.body.paths['/v1/usage/calls'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(Object.keys(batch.properties.calls.items.anyOf[0].properties), [
    'callId',
    'account',
    'origin',
    'destination',
    'startTime',
    'endTime',
    'direction',
    'originDevice',
  ]);
  const docs = await api.app.inject({ method: 'GET', url: '/docs/' });
  assert.equal(docs.statusCode, 200);
  assert.match(docs.body, /swagger/i);
  const health = await api.get('/health');
  assert.equal(health.body.status, 'ok');
  const metrics = await api.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, /tollbooth_http_requests_total/);
  assert.match(metrics.body, /tollbooth_clock_seconds/);
});

test('the clock never moves backwards; bad times are refused', async () => {
  const back = await api.post('/v1/clock/advance', { to: '2026-06-01' });
  assert.equal(back.status, 422);
  assert.equal(back.body.code, 'clock_backwards');
  const junk = await api.post('/v1/clock/advance', { to: 'next tuesday' });
  assert.equal(junk.body.code, 'invalid_time');
});
