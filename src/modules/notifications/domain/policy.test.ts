import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_DELIVERY_SETTINGS,
  classifySmtpFailure,
  reserveSlots,
  resolveSettings,
  retryDelayMs,
} from './policy.ts';

const at = (iso: string) => new Date(iso);
const minutes = (ms: number) => ms / 60_000;

test('retries wait 1, 2, 4 … minutes after each failed attempt, capped at 6 hours', () => {
  const table: [attempt: number, waitMinutes: number][] = [
    [1, 1],
    [2, 2],
    [3, 4],
    [4, 8],
    [8, 128],
    [9, 256],
    [10, 360],
    [12, 360],
  ];
  for (const [attempt, wait] of table)
    assert.equal(minutes(retryDelayMs(attempt, 360)), wait, `attempt ${attempt}`);
});

test('RUN-7 slots: consecutive at the rate from the window start, never before it or in the past', () => {
  const window = { windowStart: at('2026-09-01T05:00:00Z'), windowEnd: at('2026-09-06T05:00:00Z') };
  const first = reserveSlots(
    { slotsTaken: 0, nextAt: at('2026-09-01T05:00:00Z') },
    [window, window, window],
    2,
    at('2026-09-01T05:00:00Z'),
  );
  assert.deepEqual(
    first.slots.map((s) => [s.slot, s.notBefore.toISOString(), s.beyondWindow]),
    [
      [0, '2026-09-01T05:00:00.000Z', false],
      [1, '2026-09-01T05:00:30.000Z', false],
      [2, '2026-09-01T05:01:00.000Z', false],
    ],
  );
  assert.deepEqual(first.cursor, { slotsTaken: 3, nextAt: at('2026-09-01T05:01:30Z') });

  // A zone whose window opens an hour later continues the same count, from its own start.
  const later = { windowStart: at('2026-09-01T06:00:00Z'), windowEnd: at('2026-09-06T06:00:00Z') };
  const second = reserveSlots(first.cursor, [later], 2, at('2026-09-01T06:00:00Z'));
  assert.deepEqual(
    second.slots.map((s) => [s.slot, s.notBefore.toISOString()]),
    [[3, '2026-09-01T06:00:00.000Z']],
  );

  // After a pause the schedule resumes now: no burst to catch up.
  const resumed = reserveSlots(second.cursor, [window, window], 2, at('2026-09-03T10:00:00Z'));
  assert.deepEqual(
    resumed.slots.map((s) => s.notBefore.toISOString()),
    ['2026-09-03T10:00:00.000Z', '2026-09-03T10:00:30.000Z'],
  );

  // Slots pushed past the end of an open window are still given, and flagged (the rate is too
  // low); an invoice first seen after its window closed goes now, late but not flagged.
  const full = reserveSlots(
    { slotsTaken: 3, nextAt: at('2026-09-06T04:59:45Z') },
    [window, window],
    2,
    at('2026-09-01T06:00:00Z'),
  );
  assert.deepEqual(
    full.slots.map((s) => s.beyondWindow),
    [false, true],
  );
  const late = reserveSlots(second.cursor, [window], 2, at('2026-09-20T05:00:00Z'));
  assert.deepEqual(
    late.slots.map((s) => [s.notBefore.toISOString(), s.beyondWindow]),
    [['2026-09-20T05:00:00.000Z', false]],
  );
});

test('10,000 invoices at the default rate fit between 00:00 on the 1st and the end of the 5th', () => {
  const window = { windowStart: at('2026-09-01T05:00:00Z'), windowEnd: at('2026-09-06T05:00:00Z') };
  const r = reserveSlots(
    { slotsTaken: 0, nextAt: window.windowStart },
    Array.from({ length: 10_000 }, () => window),
    DEFAULT_DELIVERY_SETTINGS.perMinute,
    window.windowStart,
  );
  assert.equal(r.slots.filter((s) => s.beyondWindow).length, 0);
  assert.equal(r.slots.at(-1)!.notBefore.toISOString(), '2026-09-04T16:19:30.000Z');
});

test('SMTP failures: a 5xx rejection bounces; refused connections, timeouts, 4xx and our credentials are retried', () => {
  const table: [error: unknown, kind: 'transient' | 'permanent'][] = [
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ESOCKET' }), 'transient'],
    [Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }), 'transient'],
    [
      Object.assign(new Error('Greylisted'), {
        code: 'EENVELOPE',
        responseCode: 451,
        response: '451 4.7.1 Try later',
      }),
      'transient',
    ],
    [
      Object.assign(new Error('No such user'), {
        code: 'EENVELOPE',
        responseCode: 550,
        response: '550 5.1.1 No such user',
      }),
      'permanent',
    ],
    [
      Object.assign(new Error('Message rejected'), {
        code: 'EMESSAGE',
        responseCode: 554,
        response: '554 spam',
      }),
      'permanent',
    ],
    [
      Object.assign(new Error('Invalid login'), {
        code: 'EAUTH',
        responseCode: 535,
        response: '535 bad credentials',
      }),
      'transient',
    ],
    ['a string thrown', 'transient'],
  ];
  for (const [error, kind] of table) assert.equal(classifySmtpFailure(error).kind, kind, String(error));
  assert.equal(classifySmtpFailure(table[3]![0]).response, '550 5.1.1 No such user');
});

test('stored settings override the defaults; a value out of range falls back to its default', () => {
  assert.deepEqual(resolveSettings({}), DEFAULT_DELIVERY_SETTINGS);
  assert.deepEqual(resolveSettings({ perMinute: 5, maxAttempts: 0, windowLastDay: 'x' }), {
    ...DEFAULT_DELIVERY_SETTINGS,
    perMinute: 5,
  });
});
