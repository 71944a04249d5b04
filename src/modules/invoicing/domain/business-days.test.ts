import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addBusinessDays, holidayOn, isBusinessDay, nthBusinessDayOfMonth } from './business-days.ts';

test('holidays: fixed dates and nth/last weekday rules, per country', () => {
  const cases: [string, string, string | null][] = [
    ['US', '2026-01-01', "New Year's Day"],
    ['US', '2026-01-19', 'Martin Luther King Jr. Day'],
    ['US', '2026-05-25', 'Memorial Day'], // last Monday of May 2026
    ['US', '2026-09-07', 'Labor Day'],
    ['US', '2026-11-26', 'Thanksgiving Day'],
    ['US', '2026-07-01', null],
    ['CA', '2026-07-01', 'Canada Day'],
    ['CA', '2026-10-12', 'Thanksgiving'],
    ['MX', '2026-02-02', 'Día de la Constitución'],
    ['MX', '2026-09-16', 'Día de la Independencia'],
    ['MX', '2026-11-16', 'Día de la Revolución'],
    ['MX', '2026-07-04', null],
    ['BR', '2026-01-01', null], // no calendar: weekends only
  ];
  for (const [country, date, name] of cases)
    assert.equal(holidayOn(country, date), name, `${country} ${date}`);
});

test('business days skip weekends and holidays', () => {
  assert.equal(isBusinessDay('US', '2026-08-01'), false, 'a Saturday');
  assert.equal(isBusinessDay('US', '2026-08-03'), true, 'a Monday');
  assert.equal(isBusinessDay('US', '2026-09-07'), false, 'Labor Day');
  assert.equal(isBusinessDay('MX', '2026-09-07'), true, 'not a holiday in Mexico');
  // Signed on Thursday 3 Sep 2026: Fri 4, (Labor Day Mon 7 skipped) Tue 8, Wed 9, Thu 10, Fri 11.
  assert.equal(addBusinessDays('US', '2026-09-03', 5), '2026-09-11');
  assert.equal(addBusinessDays('MX', '2026-09-03', 5), '2026-09-10');
  assert.equal(addBusinessDays('US', '2026-12-31', 1), '2027-01-04', 'over New Year and a weekend');
});

test('the nth business day of a month', () => {
  assert.equal(nthBusinessDayOfMonth('US', '2026-08-01', 1), '2026-08-03', 'the 1st is a Saturday');
  assert.equal(nthBusinessDayOfMonth('US', '2026-09-01', 1), '2026-09-01');
  assert.equal(nthBusinessDayOfMonth('US', '2026-09-01', 5), '2026-09-08', 'Labor Day skipped');
  assert.equal(nthBusinessDayOfMonth('US', '2027-01-01', 1), '2027-01-04', "New Year's Day on a Friday");
  assert.equal(nthBusinessDayOfMonth('MX', '2026-02-01', 1), '2026-02-03', 'Sunday, then Constitution Day');
});
