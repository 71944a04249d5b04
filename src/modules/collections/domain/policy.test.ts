import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, deactivationAllowed, noticesDue, statusDecision } from './policy.ts';

test('COL-3/COL-4: suspension at 30 days past due, reactivation at 0.00, deactivation only after 60', () => {
  const p = DEFAULT_POLICY;
  const cases: [string, Parameters<typeof statusDecision>[0], ReturnType<typeof statusDecision>][] = [
    ['29 days: still active', { status: 'active', pastDue: 100, oldestPastDueDays: 29 }, null],
    ['30 days: suspended', { status: 'active', pastDue: 100, oldestPastDueDays: 30 }, 'suspend'],
    ['suspended, still owing', { status: 'suspended', pastDue: 1, oldestPastDueDays: 45 }, null],
    [
      'suspended, past due 0.00: back',
      { status: 'suspended', pastDue: 0, oldestPastDueDays: 0 },
      'reactivate',
    ],
    [
      'deactivated stays deactivated even paid',
      { status: 'deactivated', pastDue: 0, oldestPastDueDays: 0 },
      null,
    ],
    ['61 days: not automatic by default', { status: 'suspended', pastDue: 1, oldestPastDueDays: 61 }, null],
    ['cancelled: left alone', { status: 'cancelled', pastDue: 100, oldestPastDueDays: 90 }, null],
  ];
  for (const [name, facts, want] of cases) assert.equal(statusDecision(facts, p), want, name);
  assert.equal(
    statusDecision(
      { status: 'suspended', pastDue: 1, oldestPastDueDays: 61 },
      { ...p, autoDeactivate: true },
    ),
    'deactivate',
    'automatic when the policy says so',
  );
  assert.equal(
    deactivationAllowed({ status: 'suspended', pastDue: 1, oldestPastDueDays: 60 }, p),
    false,
    'day 60: not yet',
  );
  assert.equal(
    deactivationAllowed({ status: 'suspended', pastDue: 1, oldestPastDueDays: 61 }, p),
    true,
    'day 61',
  );
});

test('COL-2: the latest step reached, once', () => {
  const inv = [{ invoiceId: 'i', number: 'IN1', dueDate: '2026-09-16', open: 500 }];
  const at = (today: string, sent: string[] = []) =>
    noticesDue(inv, today, DEFAULT_POLICY, new Set(sent)).map((n) => `${n.kind}@${n.daysPastDue}`);
  assert.deepEqual(at('2026-09-10'), [], '6 days before due: nothing');
  assert.deepEqual(at('2026-09-11'), ['reminder@-5'], '5 days before: reminder');
  assert.deepEqual(at('2026-09-12', ['i:-5']), [], 'reminder sent once');
  assert.deepEqual(at('2026-09-16', ['i:-5']), [], 'due day: nothing new');
  assert.deepEqual(at('2026-09-17', ['i:-5']), ['past_due@1'], 'a day late');
  assert.deepEqual(at('2026-10-20', ['i:-5']), ['suspension@34'], 'catch-up sends only the latest');
  assert.deepEqual(
    noticesDue([{ ...inv[0]!, open: 0 }], '2026-09-17', DEFAULT_POLICY, new Set()),
    [],
    'paid: nothing',
  );
});
