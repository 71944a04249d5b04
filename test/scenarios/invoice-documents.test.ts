// Invoices show the entity's legal name valid on their date (ACC-2) and cannot be altered once issued.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { sql } from 'kysely';
import { type TestApi, createTestAccount, invoiceFor, signAndEquip, testApi } from '../support/api.ts';

let api: TestApi;
let mx: string;

before(async () => {
  api = await testApi({ simulatedClock: '2025-05-20T00:00:00Z' });
  mx = (
    await createTestAccount(api, {
      companyName: 'Tequila Logística',
      entity: 'MX',
      address: { country: 'MX', state: 'JAL', city: 'Guadalajara', postalCode: '44100' },
      poNumber: 'OC-7781',
    })
  ).id;
  await signAndEquip(api, mx, { signatureDate: '2025-05-01' }, [
    { itemCode: 'device.desk-phone', quantity: 4, addedOn: '2025-05-01' },
  ]);
  await api.post('/v1/clock/advance', { to: '2025-07-02' });
});

after(() => api.close());

test('the MX entity was renamed on 1 July 2025: June shows the old name, July the new one, in MXN', async () => {
  const june = await invoiceFor(api, mx, '2025-06');
  const july = await invoiceFor(api, mx, '2025-07');
  assert.equal(june.legalName, 'LogMeIn Communications Mexico S. de R.L. de C.V.');
  assert.equal(july.legalName, 'GoTo Technologies México S. de R.L. de C.V.');
  assert.equal(july.currency, 'MXN');
  assert.equal(july.total, 4 * 44900);
  assert.equal(july.poNumber, 'OC-7781');
  assert.match(july.number, /^IN6\d{10}$/);
});

test('an issued invoice cannot be changed or deleted, even by SQL; voiding keeps it whole', async () => {
  const inv = await invoiceFor(api, mx, '2025-07');
  const db = api.rt.handle.db;
  await assert.rejects(sql`UPDATE invoices SET total = 1 WHERE id = ${inv.id}`.execute(db), /immutable/);
  await assert.rejects(
    sql`UPDATE invoice_lines SET amount = 1 WHERE invoice_id = ${inv.id}`.execute(db),
    /immutable/,
  );
  await assert.rejects(sql`DELETE FROM invoice_lines WHERE invoice_id = ${inv.id}`.execute(db), /immutable/);
  await assert.rejects(sql`DELETE FROM invoices WHERE id = ${inv.id}`.execute(db), /cannot be deleted/);
  const voided = await api.post(`/v1/invoices/${inv.id}/void`, { reason: 'issued in error' });
  assert.equal(voided.status, 200);
  assert.equal(voided.body.status, 'void');
  assert.equal(voided.body.total, inv.total);
  assert.deepEqual(voided.body.lines, inv.lines);
  const again = await api.post(`/v1/invoices/${inv.id}/void`, { reason: 'twice' });
  assert.equal(again.body.code, 'cannot_void');
  // Its documents say it is void (RUN-12), in the account's language (es-MX): the PDF before
  // anything else, the CSV in a last record; its lines and totals unchanged.
  const get = (url: string) =>
    api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${api.key}` } });
  const pdf = await get(`/v1/invoices/${inv.id}.pdf`);
  assert.equal(pdf.statusCode, 200);
  const text = execFileSync('pdftotext', ['-q', '-', '-'], { input: pdf.rawPayload }).toString('utf8');
  assert.ok(text.includes('ANULADA'), 'the PDF is marked void');
  assert.ok(text.includes('No se debe pagar nada'), 'and says nothing is to be paid');
  const csv = (await get(`/v1/invoices/${inv.id}.csv`)).body.trim().split(/\r\n/);
  assert.match(csv.at(-1)!, /^summary,IN\d{11},voided,,No se debe pagar nada de este documento/);
  assert.match(csv.at(-2)!, /^summary,IN\d{11},amount_due,/);
});
