import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type CdrAccount,
  type RawCdr,
  cdrColumns,
  checkCdr,
  monthInZoneCache,
  parseInstant,
  rawCdrFromFields,
  splitCsvLine,
} from './cdr.ts';

const accounts = new Map<string, CdrAccount>([
  ['acc_1', { id: 'acc_1', country: 'US', timeZone: 'America/Chicago' }],
  ['900000001', { id: 'acc_1', country: 'US', timeZone: 'America/Chicago' }],
  ['acc_br', { id: 'acc_br', country: 'BR', timeZone: 'America/Sao_Paulo' }],
]);
const monthOf = monthInZoneCache();
const check = (over: Partial<RawCdr>) =>
  checkCdr(
    {
      callId: 'c1',
      account: 'acc_1',
      origin: '101',
      destination: '(212) 736-5000',
      startTime: '2026-01-31T23:59:30Z',
      endTime: '2026-02-01T00:01:00Z',
      direction: 'outbound',
      ...over,
    },
    (k) => accounts.get(k),
    monthOf,
  );

test('a good CDR: E.164 numbers, whole seconds, the local usage month, the extension as device', () => {
  const r = check({});
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.call, {
    callId: 'c1',
    accountId: 'acc_1',
    usageMonth: '2026-01', // 17:59 in Chicago
    startedAt: Date.parse('2026-01-31T23:59:30Z'),
    durationSeconds: 90,
    direction: 'outbound',
    origin: '101',
    destination: '+12127365000',
    originDevice: '101',
    row: 0,
  });
  const byNumber = check({
    account: '900000001',
    startTime: '2026-02-01 06:00:00',
    endTime: '2026-02-01T06:00:00Z',
  });
  assert.deepEqual(
    byNumber.ok && [byNumber.call.accountId, byNumber.call.usageMonth, byNumber.call.durationSeconds],
    ['acc_1', '2026-02', 0],
    'account by number; UTC when no offset; a 0-second call is kept (unanswered, free)',
  );
  const brazil = check({ account: 'acc_br', origin: '(11) 98765-4321', destination: '(21) 3456-7890' });
  assert.deepEqual(
    brazil.ok && [brazil.call.origin, brazil.call.originDevice],
    ['+5511987654321', null],
    'national BR',
  );
});

test('malformed CDRs: one reason each', () => {
  const cases: [Partial<RawCdr>, RegExp][] = [
    [{ callId: '' }, /call_id/],
    [{ callId: 'has space' }, /call_id/],
    [{ account: 'nobody' }, /unknown account "nobody"/],
    [{ direction: 'sideways' }, /direction must be inbound or outbound/],
    [{ startTime: '31/01/2026 10:00' }, /start_time .* is not an ISO 8601 instant/],
    [{ endTime: '' }, /end_time/],
    [{ endTime: '2026-01-31T23:59:00Z' }, /end_time is before start_time/],
    [{ endTime: '2026-02-09T00:00:00Z' }, /more than 7 days/],
    [{ destination: 'abc' }, /destination "abc": The value is not a phone number/],
    [{ origin: '+1 212' }, /origin "\+1 212"/],
    [{ destination: '+999 1234567' }, /destination/],
  ];
  for (const [over, reason] of cases) {
    const r = check(over);
    assert.equal(r.ok, false, JSON.stringify(over));
    if (!r.ok) assert.match(r.reason, reason, JSON.stringify(over));
  }
});

test('instants: ISO 8601 with or without offset; nothing Date.parse would guess', () => {
  assert.equal(parseInstant('2026-01-05T10:00:00-06:00'), Date.parse('2026-01-05T16:00:00Z'), 'offset');
  assert.equal(parseInstant('2026-01-05T10:00'), Date.parse('2026-01-05T10:00:00Z'), 'minutes, UTC');
  assert.ok(Number.isNaN(parseInstant('Jan 5 2026')), 'prose refused');
  assert.ok(Number.isNaN(parseInstant('1767600000')), 'epoch refused');
});

test('CSV lines and headers', () => {
  assert.deepEqual(splitCsvLine('a,"b, c","d ""e"""'), ['a', 'b, c', 'd "e"'], 'quoted fields');
  assert.equal(splitCsvLine('a,"b'), null, 'unclosed quote');
  assert.deepEqual(cdrColumns(['id', 'from']), [
    'call_id',
    'account',
    'origin',
    'destination',
    'start_time',
    'end_time',
    'direction',
  ]);
  const col = cdrColumns([
    'direction',
    'call_id',
    'account',
    'origin',
    'destination',
    'start_time',
    'end_time',
  ]);
  assert.ok(!Array.isArray(col), 'columns in any order; origin_device optional');
  if (!Array.isArray(col)) {
    const raw = rawCdrFromFields(['inbound', 'x1', 'acc_1', 'o', 'd', 's', 'e'], col);
    assert.deepEqual([raw.callId, raw.direction, raw.originDevice], ['x1', 'inbound', ''], 'fields by name');
  }
});

test('the fast path for canonical instants agrees with the general one', () => {
  for (const t of [
    '2026-01-05T16:00:00Z',
    '2026-01-05T16:00:00.123Z',
    '2024-02-29T23:59:59Z',
    '2026-12-31T00:00:00.000Z',
  ]) {
    assert.equal(parseInstant(t), Date.parse(t), t);
  }
  for (const t of ['2026-02-30T10:00:00Z', '2026-13-01T10:00:00Z', '2026-01-0xT10:00:00Z']) {
    assert.ok(Number.isNaN(parseInstant(t)), t);
  }
});
