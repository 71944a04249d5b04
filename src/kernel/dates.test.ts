import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDays,
  addMonths,
  addMonthsToMonth,
  dateInZone,
  daysBetween,
  daysInMonth,
  isCalendarDate,
  isoWeekday,
  lastDayOf,
  parseDate,
  startOfDayInZone,
} from './dates.ts';

test('calendar arithmetic across month ends, year ends and leap days', () => {
  assert.equal(daysInMonth(2028, 2), 29);
  assert.equal(daysInMonth(2100, 2), 28);
  assert.equal(daysInMonth(2000, 2), 29);
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2028-03-01', -1), '2028-02-29');
  assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
  assert.equal(addMonths('2028-01-31', 1), '2028-02-29');
  assert.equal(addMonths('2026-11-15', 2), '2027-01-15');
  assert.equal(addMonthsToMonth('2026-01', -1), '2025-12');
  assert.equal(lastDayOf('2028-02'), '2028-02-29');
  assert.equal(isoWeekday('2026-11-22'), 7); // a Sunday
});

test('dates are validated, not coerced', () => {
  assert.ok(isCalendarDate('2028-02-29'));
  assert.ok(!isCalendarDate('2026-02-29'));
  assert.ok(!isCalendarDate('2026-04-31'));
  assert.throws(() => parseDate('2026-02-30', 'signatureDate'), /signatureDate must be a calendar date/);
});

test('local midnight in a zone, on both sides of UTC and across DST', () => {
  assert.equal(startOfDayInZone('2026-09-01', 'Asia/Tokyo').toISOString(), '2026-08-31T15:00:00.000Z');
  assert.equal(
    startOfDayInZone('2026-09-01', 'America/Los_Angeles').toISOString(),
    '2026-09-01T07:00:00.000Z',
  );
  assert.equal(
    startOfDayInZone('2026-12-01', 'America/Los_Angeles').toISOString(),
    '2026-12-01T08:00:00.000Z',
  );
  assert.equal(startOfDayInZone('2026-03-08', 'America/New_York').toISOString(), '2026-03-08T05:00:00.000Z'); // DST day
  assert.equal(startOfDayInZone('2026-03-09', 'America/New_York').toISOString(), '2026-03-09T04:00:00.000Z');
  // Chile skips midnight at the DST change: the day starts at 01:00.
  const santiago = startOfDayInZone('2026-09-06', 'America/Santiago');
  assert.equal(dateInZone(santiago, 'America/Santiago'), '2026-09-06');
  assert.equal(dateInZone(new Date(santiago.getTime() - 1), 'America/Santiago'), '2026-09-05');
  assert.equal(dateInZone(new Date('2026-08-31T15:00:00Z'), 'Asia/Tokyo'), '2026-09-01');
});

// Whole days between dates are read from the text by character codes: every date of four
// centuries (and overflowing days, which roll over as before) gives what Date.UTC gives, and
// text that is not a date is still refused.
test('days between dates, for every day of four centuries, and text that is no date refused', () => {
  const origin = Date.UTC(2000, 0, 1);
  for (let t = Date.UTC(1800, 0, 1); t < Date.UTC(2200, 0, 1); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    assert.equal(daysBetween('2000-01-01', date), (t - origin) / 86_400_000, date);
  }
  assert.equal(daysBetween('2026-02-28', '2026-02-30'), 2); // rolls over into March, as ever
  for (const bad of ['2026-1-05', '2026-01-0x', '2026/01/05', ' 2026-01-05', '']) {
    assert.throws(() => daysBetween('2000-01-01', bad), /not a calendar date/, bad);
  }
});
