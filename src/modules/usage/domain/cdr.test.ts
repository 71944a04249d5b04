import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
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
import { normalizeNumber } from './numbers.ts';
import { dateInZone, isCalendarDate } from '../../../kernel/index.ts';

const accounts = new Map<string, CdrAccount>([
  ['acc_1', { id: 'acc_1', country: 'US', timeZone: 'America/Chicago' }],
  ['900000001', { id: 'acc_1', country: 'US', timeZone: 'America/Chicago' }],
  ['acc_br', { id: 'acc_br', country: 'BR', timeZone: 'America/Sao_Paulo' }],
]);
const monthOf = monthInZoneCache();
/** A good CDR of acc_1: a call from extension 101 across midnight of 31 January. */
const BASE: RawCdr = {
  callId: 'c1',
  account: 'acc_1',
  origin: '101',
  destination: '(212) 736-5000',
  startTime: '2026-01-31T23:59:30Z',
  endTime: '2026-02-01T00:01:00Z',
  direction: 'outbound',
};
const check = (over: Partial<RawCdr>) => checkCdr({ ...BASE, ...over }, (k) => accounts.get(k), monthOf);

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
    originNumber: normalizeNumber('101', 'US'),
    destinationNumber: normalizeNumber('+12127365000', 'US'),
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

// ---- the fast paths against the plain definitions they replace ------------------------------

const CALL_ID_RE = /^[\x21-\x7e]{1,128}$/;
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const two = (t: string, i: number) => (t.charCodeAt(i) - 48) * 10 + t.charCodeAt(i + 1) - 48;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** parseInstant as first written: a character check, Date.UTC, then a regular expression and Date.parse. */
function plainParseInstant(text: string): number {
  const t = text.trim();
  const fast = plainCanonicalInstant(t);
  if (!Number.isNaN(fast)) return fast;
  if (!INSTANT_RE.test(t) || !isCalendarDate(t.slice(0, 10))) return NaN;
  const iso = t.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`);
}

function plainCanonicalInstant(t: string): number {
  const n = t.length;
  if ((n !== 20 && n !== 24) || t.charCodeAt(n - 1) !== 90 || t[10] !== 'T') return NaN;
  if (t[4] !== '-' || t[7] !== '-' || t[13] !== ':' || t[16] !== ':') return NaN;
  for (const i of DIGIT_POSITIONS) if (!isDigit(t.charCodeAt(i))) return NaN;
  let ms = 0;
  if (n === 24) {
    if (
      t[19] !== '.' ||
      !isDigit(t.charCodeAt(20)) ||
      !isDigit(t.charCodeAt(21)) ||
      !isDigit(t.charCodeAt(22))
    ) {
      return NaN;
    }
    ms = (t.charCodeAt(20) - 48) * 100 + two(t, 21);
  }
  const month = two(t, 5);
  const day = two(t, 8);
  const hour = two(t, 11);
  const minute = two(t, 14);
  const second = two(t, 17);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return NaN;
  // Date.UTC reads years 0-99 as 1900-1999; ISO 8601 (and Date.parse) does not.
  const d = new Date(0);
  d.setUTCFullYear(two(t, 0) * 100 + two(t, 2), month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getUTCDate() === day ? d.getTime() : NaN;
}

/** checkCdr as first written: trim, lower-case and a regular expression on every field. */
function plainCheckCdr(raw: RawCdr): ReturnType<typeof checkCdr> {
  const fail = (reason: string) => ({ ok: false as const, reason });
  const callId = (raw.callId ?? '').trim();
  if (!CALL_ID_RE.test(callId)) return fail('call_id is missing or not 1-128 printable characters');
  const account = accounts.get((raw.account ?? '').trim());
  if (account === undefined) return fail(`unknown account "${raw.account ?? ''}"`);
  const direction = (raw.direction ?? '').trim().toLowerCase();
  if (direction !== 'inbound' && direction !== 'outbound') {
    return fail(`direction must be inbound or outbound, got "${raw.direction ?? ''}"`);
  }
  const start = plainParseInstant(raw.startTime ?? '');
  if (Number.isNaN(start)) return fail(`start_time "${raw.startTime ?? ''}" is not an ISO 8601 instant`);
  const end = plainParseInstant(raw.endTime ?? '');
  if (Number.isNaN(end)) return fail(`end_time "${raw.endTime ?? ''}" is not an ISO 8601 instant`);
  if (end < start) return fail('end_time is before start_time');
  const durationSeconds = Math.round((end - start) / 1000);
  if (durationSeconds > 7 * 24 * 3600) return fail('the call lasts more than 7 days');
  const origin = normalizeNumber(raw.origin ?? '', account.country);
  if (origin.kind === 'invalid') return fail(`origin "${origin.raw}": ${origin.message}`);
  const destination = normalizeNumber(raw.destination ?? '', account.country);
  if (destination.kind === 'invalid') return fail(`destination "${destination.raw}": ${destination.message}`);
  const device = (raw.originDevice ?? '').trim();
  return {
    ok: true,
    call: {
      callId,
      accountId: account.id,
      usageMonth: dateInZone(new Date(start), account.timeZone).slice(0, 7),
      startedAt: start,
      durationSeconds,
      direction,
      origin: origin.kind === 'phone' ? origin.e164 : origin.extension,
      destination: destination.kind === 'phone' ? destination.e164 : destination.extension,
      originDevice: device !== '' ? device : origin.kind === 'extension' ? origin.extension : null,
      row: 0,
      originNumber: origin,
      destinationNumber: destination,
    },
  };
}

const TRICKY_INSTANTS = [
  '2026-01-05T16:00:00Z',
  '2026-01-05T16:00:00.123Z',
  '2026-01-05T16:00:00.1Z',
  '2026-01-05T16:00:00.123456789Z',
  '2026-01-05T10:00:00-06:00',
  '2026-01-05T10:00:00+0530',
  '2026-01-05T10:00:00+05:45',
  '2026-01-05 10:00:00',
  '2026-01-05 10:00',
  '2026-01-05T10:00',
  '2026-01-05t10:00:00Z',
  '2026-01-05T10:00:00z',
  ' 2026-01-05T16:00:00Z',
  '2026-01-05T16:00:00Z ',
  '\t2026-01-05T16:00:00.000Z\r',
  '\u00a02026-01-05T16:00:00Z\ufeff',
  '2024-02-29T23:59:59Z',
  '2024-02-29T23:59:59.999Z',
  '2026-02-29T00:00:00Z',
  '2026-02-29T00:00:00+01:00',
  '2026-02-31T10:00:00Z',
  '2026-02-31 10:00:00',
  '2026-04-31T10:00:00Z',
  '2026-04-30T10:00:00Z',
  '2026-06-31T10:00:00.000Z',
  '2026-09-31T10:00:00Z',
  '2026-11-31T10:00:00Z',
  '2026-12-31T23:59:59.999Z',
  '2026-01-32T10:00:00Z',
  '2026-00-10T10:00:00Z',
  '2026-13-01T10:00:00Z',
  '2026-01-00T10:00:00Z',
  '2026-01-05T24:00:00Z',
  '2026-01-05T23:60:00Z',
  '2026-01-05T23:59:60Z',
  '2000-02-29T12:00:00Z',
  '1900-02-29T12:00:00Z',
  '2100-02-29T12:00:00Z',
  '1970-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '0001-01-01T00:00:00Z',
  '0050-06-15T00:00:00Z',
  '0000-02-29T00:00:00Z',
  '0004-02-29T00:00:00Z',
  '0099-12-31T23:59:59Z',
  '0100-03-01T00:00:00Z',
  '1600-02-29T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '2026-01-0xT10:00:00Z',
  '2026/01/05T10:00:00Z',
  '2026-01-05T10:00:00.12aZ',
  '2026-01-05T10:00:00,123Z',
  '2026-01-05T10:00:00.Z',
  '2026-01-05X10:00:00Z',
  '2026-01-05T10-00-00Z',
  '+02026-01-05T10:00:00Z',
  '２０２６-01-05T10:00:00Z',
  'Jan 5 2026',
  '1767600000',
  '',
  ' ',
];

test('years 0000-0099 are those years, as ISO 8601 and Date.parse read them', () => {
  for (const t of ['0050-06-15T00:00:00Z', '0001-01-01T00:00:00.000Z', '0099-12-31T23:59:59Z']) {
    assert.equal(parseInstant(t), Date.parse(t), t);
  }
});

test('parseInstant agrees with the plain definition on tricky instants', () => {
  for (const t of TRICKY_INSTANTS) {
    assert.equal(parseInstant(t), plainParseInstant(t), JSON.stringify(t));
    // The day cached from one instant must not leak into the next.
    assert.equal(parseInstant(t), plainParseInstant(t), `${JSON.stringify(t)} again`);
  }
  for (const a of TRICKY_INSTANTS) {
    for (const b of ['2026-01-05T16:00:00Z', '2024-02-29T00:00:00Z', '0050-06-15T00:00:00Z']) {
      parseInstant(b);
      assert.equal(parseInstant(a), plainParseInstant(a), `${JSON.stringify(a)} after ${b}`);
    }
  }
});

test('parseInstant agrees with Date.parse on every canonical day from 1899 to 2101', () => {
  for (let day = Date.UTC(1899, 0, 1); day < Date.UTC(2102, 0, 1); day += 86_400_000) {
    const iso = new Date(day + 45_296_789).toISOString(); // 12:34:56.789
    assert.equal(parseInstant(iso), Date.parse(iso), iso);
    assert.equal(parseInstant(`${iso.slice(0, 19)}Z`), Date.parse(`${iso.slice(0, 19)}Z`), iso);
  }
});

test('checkCdr agrees with the plain definition on tricky rows', () => {
  const base: RawCdr = { ...BASE, originDevice: '' };
  const variants: Partial<RawCdr>[] = [
    {},
    ...[
      'c1',
      ' c1',
      'c1 ',
      '\tc1\r',
      '',
      ' ',
      'a b',
      'x'.repeat(128),
      'x'.repeat(129),
      ` ${'x'.repeat(128)} `,
    ]
      .concat(['\u00a0c1', 'c1\u00a0', 'cé', '~!"#', '\x7f', '\u3000c1\u3000'])
      .map((callId) => ({ callId })),
    ...['acc_1', ' acc_1', 'acc_1\t', '900000001', 'ACC_1', 'nobody', '', '\ufeffacc_br'].map((account) => ({
      account,
    })),
    ...['outbound', 'inbound', 'Outbound', 'INBOUND', ' inbound', 'outbound ', '\toutbound\r']
      .concat(['in bound', 'outbound.', 'inbound\u00a0', 'İnbound', 'outboun', 'inbounds', '', 'ıNBOUND'])
      .map((direction) => ({ direction })),
    ...TRICKY_INSTANTS.map((startTime) => ({ startTime, endTime: '2026-02-01T00:01:00Z' })),
    ...TRICKY_INSTANTS.map((endTime) => ({ startTime: '2026-01-01T00:00:00Z', endTime })),
    ...TRICKY_INSTANTS.map((t) => ({ startTime: t, endTime: t })),
    ...['', ' ', 'dev-1', ' dev-1 ', '\u00a0', '\tdesk\t'].map((originDevice) => ({ originDevice })),
    { originDevice: null },
    { originDevice: undefined },
    { origin: ' 101 ', destination: '+44 20 7946 0958' },
    { origin: '+1 212', destination: '101' },
    { origin: '', destination: '' },
  ];
  for (const over of variants) {
    const raw = { ...base, ...over };
    assert.deepEqual(
      checkCdr(raw, (k) => accounts.get(k), monthOf),
      plainCheckCdr(raw),
      JSON.stringify(over),
    );
  }
});

test('parseInstant agrees with the plain definition on randomly mutated instants', () => {
  let x = 20260229;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const chars = '0123456789-:.TZ +z\t';
  const seeds = [
    '2024-02-29T23:59:59.999Z',
    '2026-12-31T00:00:00Z',
    '0099-02-28T12:00:00Z',
    '2026-01-05 10:00:00',
  ];
  for (let i = 0; i < 50_000; i++) {
    const t = [...seeds[i % seeds.length]!];
    for (let k = Math.floor(next() * 3) + 1; k > 0; k--) {
      const at = Math.floor(next() * t.length);
      const r = next();
      if (r < 0.8) t[at] = chars[Math.floor(next() * chars.length)]!;
      else if (r < 0.9) t.splice(at, 1);
      else t.splice(at, 0, chars[Math.floor(next() * chars.length)]!);
    }
    const text = t.join('');
    assert.equal(parseInstant(text), plainParseInstant(text), JSON.stringify(text));
  }
});

test('the month of an instant in a zone, from a cache kept across calls, is the zone calendar month', () => {
  const zones = [
    'America/Chicago',
    'America/Sao_Paulo',
    'Europe/Dublin',
    'Asia/Kolkata',
    'Pacific/Chatham',
    'UTC',
  ];
  // Calls clustered around a month end (both months' spans grow towards it), and anywhere.
  const boundary = fc
    .record({ y: fc.integer({ min: 2025, max: 2027 }), m: fc.integer({ min: 0, max: 11 }) })
    .map(({ y, m }) => Date.UTC(y, m + 1, 1));
  const anywhere = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2028, 0, 1) });
  fc.assert(
    fc.property(
      boundary,
      fc.array(
        fc.tuple(
          fc.oneof(fc.integer({ min: -40 * 3_600_000, max: 40 * 3_600_000 }), fc.constant(null)),
          fc.constantFrom(...zones),
        ),
        { minLength: 100, maxLength: 300 },
      ),
      anywhere,
      (edge, calls, far) => {
        const monthOf = monthInZoneCache();
        for (const [offset, zone] of calls) {
          const instant = offset === null ? far : edge + offset;
          assert.equal(
            monthOf(instant, zone),
            dateInZone(new Date(instant), zone).slice(0, 7),
            `${instant} ${zone}`,
          );
        }
      },
    ),
    { numRuns: 300 },
  );
});
