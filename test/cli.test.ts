// The tollbooth command end to end on a fresh embedded data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'tollbooth-cli-'));
const run = (...args: string[]) => {
  const env = { ...process.env };
  delete env.DATABASE_URL; // this test is about the embedded default
  const r = spawnSync(process.execPath, ['bin/tollbooth.js', '--data-dir', dir, ...args], {
    encoding: 'utf8',
    env,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('--help on the program and on every command', () => {
  const top = run('--help');
  assert.equal(top.code, 0);
  for (const cmd of ['serve', 'worker', 'migrate', 'demo', 'bill-run', 'clock', 'invoices', 'api-keys']) {
    assert.match(top.out, new RegExp(`\\b${cmd}\\b`));
    const h = run(cmd, '--help');
    assert.equal(h.code, 0, cmd);
    assert.match(h.out, /Usage: tollbooth/);
  }
  for (const sub of [
    ['clock', 'advance'],
    ['invoices', 'list'],
    ['invoices', 'show'],
    ['invoices', 'void'],
    ['api-keys', 'create'],
    ['cdr', 'import'],
    ['cdr', 'details'],
  ]) {
    assert.equal(run(...sub, '--help').code, 0, sub.join(' '));
  }
});

test('bad input is refused with a clear message before anything is opened', () => {
  const r = run('bill-run', '--month', '2026-13');
  assert.equal(r.code, 1);
  assert.match(r.err, /month must be a month like 2026-08, got "2026-13"/);
});

test('a simulated instance: demo, clock advance runs the bill run, invoices list and show', () => {
  const clock = ['--simulated-clock', '2026-11-20'];
  const demo = run(...clock, 'demo');
  assert.equal(demo.code, 0, demo.err);
  assert.match(demo.out, /Demo loaded: \d+ accounts, \d+ invoices/);
  const advance = run('clock', 'advance', '--to', '2026-12-02');
  assert.equal(advance.code, 0, advance.err);
  assert.match(advance.out, /bill run 2026-12 \(America\/\w+\): \d+ invoices/);
  assert.match(run('clock', 'show').out, /2026-12-02T00:00:00.000Z \(simulated clock\)/);
  const list = run('invoices', 'list', '--month', '2026-12');
  assert.equal(list.code, 0, list.err);
  const first = /IN\d{11}/.exec(list.out)?.[0];
  assert.ok(first, list.out);
  const show = run('invoices', 'show', first);
  assert.match(show.out, new RegExp(`${first} .* issued 2026-12-01`));
  // USG-5 from the command line: an account's October calls, billed on its November invoice.
  const accountId = list.out
    .split('\n')
    .find((l) => l.startsWith(first))!
    .trim()
    .split(/\s+/)
    .pop()!;
  const csv = run('cdr', 'details', accountId, '--month', '2026-10');
  assert.equal(csv.code, 0, csv.err);
  const [header, ...rows] = csv.out.trim().split('\r\n');
  assert.equal(
    header,
    'origin_number,destination_number,start_time_utc,end_time_utc,duration_seconds,billable_minutes,total_cost,rate,call_type',
  );
  assert.ok(rows.length > 0, `the demo account ${accountId} made calls in October`);
  const json = run('cdr', 'details', accountId, '--month', '2026-10', '--format', 'json');
  assert.equal(JSON.parse(json.out).calls.length, rows.length);
  const xml = run('cdr', 'details', accountId, '--month', '2026-10', '--format', 'xml');
  assert.notEqual(xml.code, 0);
  assert.match(xml.err, /format must be csv or json, got "xml"/);
  // Repeating the month's run creates nothing new.
  const again = run('bill-run', '--month', '2026-12');
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /invoices created +0/);
  // RUN-12 from the command line: voided to be reissued, the month billed again at once.
  const noReason = run('invoices', 'void', first);
  assert.notEqual(noReason.code, 0);
  assert.match(noReason.err, /--reason/);
  const reissued = run('invoices', 'void', first, '--reason', 'wrong address', '--reissue');
  assert.equal(reissued.code, 0, reissued.err);
  assert.match(
    reissued.out,
    new RegExp(`${first} voided to be reissued\nreplaced by IN\\d{11} \\(.+, billing month 2026-12\\)`),
  );
  const twice = run('invoices', 'void', first, '--reason', 'again');
  assert.equal(twice.code, 1);
  assert.match(twice.err, new RegExp(`Invoice ${first} is void; only an unpaid invoice can be voided`));
  // CDR import from the command line: a summary, every rejected row in FILE.errors.csv (exit 2);
  // a clean import removes the earlier list; a file with no rows says why.
  const cdrHeader = 'call_id,account,origin,destination,start_time,end_time,direction,origin_device';
  const cdr = (id: string, end = '2026-12-01T15:05:00Z') =>
    `${id},${accountId},+1 512 736 0100,+1 212 736 5000,2026-12-01T15:00:00Z,${end},outbound,`;
  const file = join(dir, 'calls.csv');
  const errorsFile = `${file}.errors.csv`;
  writeFileSync(
    file,
    [cdrHeader, cdr('cli-1'), cdr('cli-2', '2026-12-01T14:00:00Z'), `${cdr('cli-3')},x`].join('\n'),
  );
  const bad = run('cdr', 'import', file);
  assert.equal(bad.code, 2, bad.err);
  assert.match(bad.out, /rows read +3\n +imported +1\n +already imported +0\n +rejected +2/);
  const listed = readFileSync(errorsFile, 'utf8').trim().split('\n');
  assert.equal(listed.length, 3, listed.join('\n'));
  assert.equal(listed[0], 'row,call_id,reason');
  assert.match(listed[1]!, /^3,cli-2,.*end/);
  assert.equal(listed[2], '4,cli-3,9 fields where the header has 8: quote a field that holds a comma');
  writeFileSync(file, [cdrHeader, cdr('cli-2'), cdr('cli-3')].join('\r\n'));
  const fixed = run('cdr', 'import', file);
  assert.equal(fixed.code, 0, fixed.err);
  assert.match(fixed.out, /imported +2\n/);
  assert.match(fixed.out, /no row rejected: the earlier .*calls\.csv\.errors\.csv is removed/);
  assert.equal(existsSync(errorsFile), false);
  writeFileSync(file, '');
  const empty = run('cdr', 'import', file);
  assert.equal(empty.code, 2);
  assert.match(empty.err, /calls\.csv is empty: a CDR file starts with a header line/);
  writeFileSync(file, `${cdrHeader}\n`);
  assert.match(run('cdr', 'import', file).err, /calls\.csv holds no CDR rows: nothing after its header line/);
  writeFileSync(file, [cdrHeader, cdr('cli-4')].join('\r'));
  const oldMac = run('cdr', 'import', file);
  assert.equal(oldMac.code, 2);
  assert.match(oldMac.out, /row 1: not a CDR header: its lines end in a carriage return alone/);
  rmSync(dir, { recursive: true, force: true });
});
