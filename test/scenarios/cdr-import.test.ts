// USG-1 bad input: a CDR file with 1% malformed rows (bad numbers, end before start, unknown
// account, duplicate call ids) imports every good row and reports every bad one by row number —
// through the same path as `tollbooth cdr import` (COPY on a server, batched inserts embedded).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { SET_IDS, csvCdrRows, importCdrFile, importCdrs } from '../../src/modules/usage/index.ts';
import { type TestApi, createTestAccount, signAndEquip, testApi } from '../support/api.ts';
import { withDatabase } from '../support/runtime.ts';

let api: TestApi;
const dir = mkdtempSync(join(tmpdir(), 'tollbooth-cdr-'));
const file = join(dir, 'cdrs.csv');
const expectedErrors = new Map<number, RegExp>();
let goodRows = 0;
let accountIds: string[] = [];

before(async () => {
  api = await testApi({ simulatedClock: '2026-02-01T00:00:00Z' });
  const a = await createTestAccount(api, { companyName: 'Alamo Freight' });
  const b = await createTestAccount(api, { companyName: 'Bexar Clinics' });
  accountIds = [a.id, b.id];
  const lines = ['call_id,account,origin,destination,start_time,end_time,direction,origin_device'];
  for (let i = 0; i < 2000; i++) {
    const row = i + 2; // the header is row 1
    const start = Date.UTC(2026, 0, 1 + (i % 28), 14, i % 60, 0);
    const end = start + ((i * 37) % 900) * 1000;
    const account = i % 2 === 0 ? a.id : b.number; // by id or by account number
    const f = {
      id: `call-${i}`,
      account,
      origin: String(100 + (i % 5)),
      destination: `+1 214 736 ${String(1000 + i).slice(-4)}`,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    };
    if (i % 400 === 7) {
      f.destination = ['abc', '+1 212', '+999 1234567', '', '+1 214 736 01234567'][(i / 400) | 0]!;
      expectedErrors.set(row, /destination/);
    } else if (i % 400 === 131) {
      f.end = new Date(start - 5000).toISOString();
      expectedErrors.set(row, /end_time is before start_time/);
    } else if (i % 400 === 253) {
      f.account = 'AC-NOPE';
      expectedErrors.set(row, /unknown account "AC-NOPE"/);
    } else if (i % 400 === 379) {
      f.id = `call-${i - 70}`; // the id of row i - 70, a good row earlier in the file
      expectedErrors.set(row, new RegExp(`duplicate call_id: the same id is on row ${row - 70}`));
    } else goodRows++;
    lines.push([f.id, f.account, f.origin, f.destination, f.start, f.end, 'outbound', ''].join(','));
  }
  writeFileSync(file, lines.join('\n') + '\n');
});

after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const importFile = () =>
  importCdrs(api.rt.ctx('test'), () => csvCdrRows(createReadStream(file)), {
    source: 'file:cdrs.csv',
    chunkSize: 300,
  });

test('every good row goes in; every bad row is reported with its row number and reason', async () => {
  const r = await importFile();
  assert.equal(expectedErrors.size, 20, '1% of the rows are malformed');
  assert.deepEqual(
    [r.rowsRead, r.accepted, r.alreadyImported, r.rejected],
    [2000, goodRows, 0, 20],
    JSON.stringify({ ...r, errors: r.errors.slice(0, 5) }),
  );
  assert.deepEqual(
    r.errors.map((e) => e.row),
    [...expectedErrors.keys()].sort((x, y) => x - y),
    'the rejected rows, in file order',
  );
  for (const e of r.errors) assert.match(e.reason, expectedErrors.get(e.row)!, `row ${e.row}: ${e.reason}`);

  const stored = await storedCalls(accountIds);
  assert.equal(stored, goodRows, 'exactly the good rows are stored');
  await assertListed(accountIds);

  // The error file is downloadable from the import record.
  const errors = await api.app.inject({
    method: 'GET',
    url: `/v1/usage/imports/${r.importId}/errors.csv`,
    headers: { authorization: `Bearer ${api.key}` },
  });
  assert.equal(errors.statusCode, 200, errors.body);
  const rows = errors.body.trim().split('\r\n');
  assert.equal(rows[0], 'row,call_id,reason', 'error file header');
  assert.equal(rows.length, 21, 'one line per rejected row');
  assert.match(rows[1]!, /^9,call-7,/, 'first rejected row');
  assert.deepEqual([errors.headers['x-rows-rejected'], errors.headers['x-rows-listed']], ['20', '20']);
});

/** How many calls of these accounts are stored. */
async function storedCalls(accounts: string[]): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM calls JOIN call_classes USING (batch, class)
    WHERE account_id = ANY(${accounts}::text[])`.execute(api.rt.ctx('test').db);
  return r.rows[0]!.n;
}

/** The call sets of these accounts list each stored call once, in its month, with its start. */
async function assertListed(accounts: string[]) {
  const db = api.rt.ctx('test').db;
  const stored = await sql<{ id: string }>`
    SELECT call_id || ' ' || usage_month || ' ' || (extract(epoch FROM started_at) * 1000)::int8 AS id
    FROM calls JOIN call_classes USING (batch, class) WHERE account_id = ANY(${accounts}::text[]) ORDER BY 1`.execute(
    db,
  );
  const listed = await sql<{ id: string }>`
    SELECT u.id || ' ' || s.usage_month || ' ' || u.ms AS id
    FROM call_sets s CROSS JOIN unnest(${SET_IDS}, s.started_ms) AS u(id, ms)
    WHERE s.account_id = ANY(${accounts}::text[]) ORDER BY 1`.execute(db);
  assert.ok(stored.rows.length > 0);
  assert.deepEqual(
    listed.rows.map((r) => r.id),
    stored.rows.map((r) => r.id),
  );
}

test('call ids holding characters arrays treat specially are listed as they are (COPY on a server)', async () => {
  const c = await createTestAccount(api, { companyName: 'Comal Logistics' });
  const ids = ['a,b', 'q"x', 'back\\slash', '{c}', 'null', 'NULL', 'plain-1'];
  const csv =
    'call_id,account,origin,destination,start_time,end_time,direction,origin_device\n' +
    ids
      .map((id, i) =>
        [
          /[",]/.test(id) ? `"${id.replace(/"/g, '""')}"` : id,
          c.id,
          '101',
          '+1 214 736 2000',
          `2026-01-0${i + 1}T10:00:00.00${i}Z`,
          `2026-01-0${i + 1}T10:05:00Z`,
          'outbound',
          '',
        ].join(','),
      )
      .join('\n') +
    '\n';
  const f = join(dir, 'odd-ids.csv');
  writeFileSync(f, csv);
  const r = await importCdrs(api.rt.ctx('test'), () => csvCdrRows(createReadStream(f)), { source: 'odd' });
  assert.deepEqual([r.accepted, r.rejected], [ids.length, 0], JSON.stringify(r.errors));
  await assertListed([c.id]);
  const listed = await sql<{ id: string }>`
    SELECT unnest(${SET_IDS}) AS id FROM call_sets s WHERE account_id = ${c.id} ORDER BY 1`.execute(
    api.rt.ctx('test').db,
  );
  assert.deepEqual(
    listed.rows.map((x) => x.id),
    [...ids].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)),
  );
});

test('a call id sent again is skipped when it is the same call, reported when its details changed', async () => {
  const c = await createTestAccount(api, { companyName: 'Llano Water' });
  const other = await createTestAccount(api, { companyName: 'Kerr Pumps' });
  const header = 'call_id,account,origin,destination,start_time,end_time,direction,origin_device';
  const row = (id: string, f: Partial<Record<'account' | 'destination' | 'start' | 'end', string>> = {}) =>
    [
      id,
      f.account ?? c.id,
      '101',
      f.destination ?? '+1 214 736 2000',
      f.start ?? '2026-01-07T10:00:00Z',
      f.end ?? '2026-01-07T10:05:00Z',
      'outbound',
      '',
    ].join(',');
  const importCsv = async (name: string, lines: string[]) => {
    const f = join(dir, name);
    writeFileSync(f, [header, ...lines, ''].join('\n'));
    return importCdrFile(api.rt.ctx('test'), f, { source: name, databaseUrl: api.rt.databaseUrl });
  };
  const first = await importCsv('resend-1.csv', [row('rs-1'), row('rs-2'), row('rs-3'), row('rs-4')]);
  assert.deepEqual([first.accepted, first.rejected], [4, 0], JSON.stringify(first.errors));

  const again = await importCsv('resend-2.csv', [
    // The same call, written differently (the number in another format): skipped.
    row('rs-1', { destination: '+12147362000' }),
    row('rs-2', { end: '2026-01-07T10:09:00Z' }),
    row('rs-3', {
      destination: '+1 214 736 2999',
      start: '2026-01-07T09:00:00Z',
      end: '2026-01-07T09:05:00Z',
    }),
    row('rs-4', { account: other.id }),
    row('rs-5'),
  ]);
  assert.deepEqual(
    [again.rowsRead, again.accepted, again.alreadyImported, again.rejected],
    [5, 1, 1, 3],
    JSON.stringify(again.errors),
  );
  const reasons = new Map(again.errors.map((e) => [e.callId, e.reason]));
  const kept = 'the stored call is kept; a corrected call needs an id of its own';
  assert.equal(
    reasons.get('rs-2'),
    `call_id already imported (by ${first.importId} from its row 3) with another end_time: ${kept}`,
  );
  assert.equal(
    reasons.get('rs-3'),
    `call_id already imported (by ${first.importId} from its row 4) with another start_time, destination: ${kept}`,
  );
  assert.match(
    reasons.get('rs-4') ?? '',
    /^call_id already imported \(by imp_\S+ from its row 5\) with another account: /,
  );
  assert.deepEqual(
    again.errors.map((e) => e.row),
    [3, 4, 5],
    'reported on their rows',
  );
  // What was stored first stays: the changed end time and the other account billed nothing.
  const stored = await sql<{ call_id: string; duration_seconds: number; account_id: string }>`
    SELECT call_id, duration_seconds, account_id FROM calls JOIN call_classes USING (batch, class)
    WHERE call_id IN ('rs-2', 'rs-4') ORDER BY call_id`.execute(api.rt.ctx('test').db);
  assert.deepEqual(
    stored.rows.map((r) => [r.call_id, r.duration_seconds, r.account_id]),
    [
      ['rs-2', 300, c.id],
      ['rs-4', 300, c.id],
    ],
  );
  assert.equal(await storedCalls([other.id]), 0);
});

/** A file of `rows` calls for these accounts, with a bad row, a blank line and a CRLF line now and then. */
function partsFile(name: string, accounts: string[], rows: number, prefix: string) {
  const lines = ['call_id,account,origin,destination,start_time,end_time,direction,origin_device'];
  const bad = new Map<number, RegExp>();
  let good = 0;
  for (let i = 0; i < rows; i++) {
    const start = Date.UTC(2026, 0, 1 + (i % 28), 9, i % 60, i % 7);
    let destination = `+1 214 736 ${String(1000 + (i % 9000)).slice(-4)}`;
    if (i % 97 === 5) destination = '+1 212';
    if (i % 251 === 0) lines.push(''); // a blank line still counts as a line
    if (destination === '+1 212') bad.set(lines.length + 1, /destination/);
    else good++;
    const line = [
      `${prefix}-${i}`,
      accounts[i % accounts.length]!,
      String(100 + (i % 5)),
      destination,
      new Date(start).toISOString(),
      new Date(start + (i % 600) * 1000).toISOString(),
      'outbound',
      '',
    ].join(',');
    lines.push(i % 13 === 0 ? `${line}\r` : line);
  }
  const f = join(dir, name);
  writeFileSync(f, lines.join('\n') + '\n');
  return { file: f, bad, good };
}

/**
 * The accounts' stored calls are `good` in number, and the sums the bill run prices are those of
 * the calls rated.
 */
async function assertSummed(accounts: string[], good: number) {
  const db = api.rt.ctx('test').db;
  const sums = await sql<{
    stored: number;
    rated: number;
    seconds: number;
    totals: number;
    total_seconds: number;
  }>`
    SELECT (SELECT count(*) FROM calls JOIN call_classes USING (batch, class) WHERE account_id = ANY(${accounts}::text[]))::int AS stored,
      (SELECT count(*) FROM calls JOIN call_classes USING (batch, class) WHERE account_id = ANY(${accounts}::text[])
        AND call_type IS NOT NULL AND call_type <> 'before_billing_start')::int AS rated,
      (SELECT coalesce(sum(billable_seconds), 0) FROM calls JOIN call_classes USING (batch, class) WHERE account_id = ANY(${accounts}::text[])
        AND call_type <> 'before_billing_start')::int AS seconds,
      (SELECT coalesce(sum(calls), 0) FROM usage_totals WHERE account_id = ANY(${accounts}::text[]))::int AS totals,
      (SELECT coalesce(sum(billable_seconds), 0) FROM usage_totals
        WHERE account_id = ANY(${accounts}::text[]))::int AS total_seconds`.execute(db);
  const t = sums.rows[0]!;
  assert.deepEqual([t.stored, t.totals, t.total_seconds], [good, t.rated, t.seconds]);
}

test('a file on one thread (read as bytes on a server), call sets every 500 calls', async () => {
  const e = await createTestAccount(api, { companyName: 'Frio Foods' });
  await signAndEquip(api, e.id, { signatureDate: '2026-01-01' }, [
    {
      itemCode: 'device.desk-phone',
      quantity: 5,
      addedOn: '2026-01-01',
      attributes: { extensions: ['100', '101', '102', '103', '104'] },
    },
  ]);
  const g = await createTestAccount(api, { companyName: 'Gonzales Grain' });
  const { file: f, bad, good } = partsFile('one-thread.csv', [e.id, g.number], 3000, 'one');
  const r = await importCdrFile(api.rt.ctx('test'), f, {
    source: 'one-thread',
    databaseUrl: api.rt.databaseUrl,
    stretch: 500,
  });
  assert.equal(r.parts, 1);
  assert.deepEqual([r.rowsRead, r.accepted, r.alreadyImported, r.rejected], [3000, good, 0, bad.size]);
  assert.deepEqual(
    r.errors.map((x) => x.row),
    [...bad.keys()],
  );
  await assertListed([e.id, g.id]);
  await assertSummed([e.id, g.id], good);
  // The signed account's calls were rated: the sums are not all zero.
  const rated = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM calls JOIN call_classes USING (batch, class) WHERE account_id = ${e.id} AND call_type IS NOT NULL`.execute(
    api.rt.ctx('test').db,
  );
  assert.ok(rated.rows[0]!.n > 1000, `${rated.rows[0]!.n} calls rated`);
  // On a server the sets were made and written a stretch at a time (a COPY of a stretch's calls,
  // then one of its sets, pieces written again once taken): more than one set for the
  // account-month. Embedded, one per step of 2,000 rows.
  const sets = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM call_sets WHERE account_id = ${e.id}`.execute(api.rt.ctx('test').db);
  assert.ok(sets.rows[0]!.n >= (api.rt.databaseUrl ? 3 : 1), `${sets.rows[0]!.n} call sets`);
});

test('a file cut into parts (worker threads on a server): one report, rows numbered as in the file', async () => {
  const c = await createTestAccount(api, { companyName: 'Dimmit Dental' });
  const d = await createTestAccount(api, { companyName: 'Ector Energy' });
  const { file: f, bad, good } = partsFile('parts.csv', [c.id, d.number], 3000, 'part');
  const seen: number[] = [];
  const r = await importCdrFile(api.rt.ctx('test'), f, {
    source: 'parts',
    databaseUrl: api.rt.databaseUrl,
    workers: 3,
    parallelFrom: 0,
    chunkSize: 100,
    onProgress: (p) => seen.push(p.bytesRead),
  });
  // Embedded there is no server for workers to connect to: one thread reads the file.
  assert.equal(r.parts, api.rt.databaseUrl ? 3 : 1);
  assert.deepEqual([r.rowsRead, r.accepted, r.alreadyImported, r.rejected], [3000, good, 0, bad.size]);
  assert.deepEqual(
    r.errors.map((e) => e.row),
    [...bad.keys()],
    'rejected rows by their line in the file',
  );
  for (const e of r.errors) assert.match(e.reason, bad.get(e.row)!, `row ${e.row}`);
  assert.equal(seen[seen.length - 1], readFileSync(f).length, 'progress ends at the whole file');
  await assertListed([c.id, d.id]);
  await assertSummed([c.id, d.id], good);

  // Again, with one id repeated across parts: the COPY refuses it, one thread imports, skipping
  // what is stored, and the repeat is reported on its row.
  const again = partsFile('parts-again.csv', [c.id, d.number], 3000, 'part');
  const lines = readFileSync(again.file, 'utf8').split('\n');
  const line = (id: string) => lines.find((l) => l.startsWith(`${id},`))!;
  lines.push(
    line('part-0').replace(/^part-0,/, 'part-new,'),
    line('part-1').replace(/^part-1,/, 'part-new,'),
    '',
  );
  writeFileSync(again.file, lines.join('\n'));
  const r2 = await importCdrFile(api.rt.ctx('test'), again.file, {
    source: 'parts-again',
    databaseUrl: api.rt.databaseUrl,
    workers: 3,
    parallelFrom: 0,
  });
  assert.equal(r2.parts, 1);
  assert.deepEqual([r2.accepted, r2.alreadyImported], [1, good]);
  const repeated = lines.length - 1; // the last line (1-based) is the empty one after the repeat
  assert.match(
    r2.errors.find((e) => e.row === repeated)?.reason ?? '',
    new RegExp(`duplicate call_id: the same id is on row ${repeated - 1}`),
  );
  await assertListed([c.id, d.id]);
});

test('a worker that cannot read the database fails the whole import: nothing is stored', async () => {
  const e = await createTestAccount(api, { companyName: 'Frio Farms' });
  const { file: f, good } = partsFile('parts-fail.csv', [e.id], 400, 'fail');
  const stored = () => storedCalls([e.id]);
  const opts = { source: 'fail', workers: 2, parallelFrom: 0 };
  if (api.rt.databaseUrl) {
    // The workers are pointed at a database that does not exist; the importing thread's is fine.
    const elsewhere = withDatabase(api.rt.databaseUrl, 'tollbooth_no_such_database');
    await assert.rejects(
      importCdrFile(api.rt.ctx('test'), f, { ...opts, databaseUrl: elsewhere }),
      /tollbooth_no_such_database/,
    );
    assert.equal(await stored(), 0, 'nothing of the failed import is stored');
  }
  // Embedded, or with the right database, the same file goes in whole.
  const r = await importCdrFile(api.rt.ctx('test'), f, { ...opts, databaseUrl: api.rt.databaseUrl });
  assert.equal(r.accepted, good);
  assert.equal(await stored(), good);
  await assertListed([e.id]);
});

test('importing the same file again stores nothing twice', async () => {
  const r = await importFile();
  // Every good row is skipped. A repeated id's row is another call under a stored id: rejected
  // again (now naming the import that stored the call), as the first import rejected it.
  assert.deepEqual(
    [r.accepted, r.alreadyImported, r.rejected],
    [0, goodRows, 20],
    JSON.stringify({ ...r, errors: r.errors.slice(0, 3) }),
  );
  const repeats = r.errors.filter((e) => /already imported/.test(e.reason));
  assert.equal(repeats.length, 5);
  for (const e of repeats)
    assert.match(
      e.reason,
      /^call_id already imported \(by imp_\S+ from its row \d+\) with another start_time, end_time, destination: /,
    );
});

test('more rejected rows than an import keeps: the download says its list is cut', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollbooth-many-errors-'));
  try {
    const file = join(dir, 'unknown.csv');
    const lines = ['call_id,account,origin,destination,start_time,end_time,direction'];
    for (let i = 0; i < 10_050; i++) {
      lines.push(`nobody-${i},AC-NONE,101,+12127365000,2026-01-05T10:00:00Z,2026-01-05T10:01:00Z,outbound`);
    }
    writeFileSync(file, lines.join('\n'));
    const r = await importCdrFile(api.rt.ctx('test'), file, {
      source: 'many-errors',
      databaseUrl: api.rt.databaseUrl,
    });
    assert.deepEqual([r.rejected, r.errors.length], [10_050, 10_050], 'the report itself lists them all');
    const res = await api.app.inject({
      method: 'GET',
      url: `/v1/usage/imports/${r.importId}/errors.csv`,
      headers: { authorization: `Bearer ${api.key}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual([res.headers['x-rows-rejected'], res.headers['x-rows-listed']], ['10050', '10000']);
    const rows = res.body.trim().split('\r\n');
    assert.equal(rows.length, 10_001);
    assert.match(rows.at(-1)!, /^10001,nobody-9999,/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('API batches report bad items by position, and a bad header refuses the file', async () => {
  const res = await api.post('/v1/usage/calls', {
    calls: [
      {
        callId: 'api-1',
        account: accountIds[0],
        origin: '101',
        destination: '+52 55 1234 5678',
        startTime: '2026-01-20T10:00:00Z',
        endTime: '2026-01-20T10:01:00Z',
        direction: 'outbound',
      },
      {
        // A backslash is printable: the id is stored as sent (COPY escapes it on a server).
        callId: 'api\\tab',
        account: accountIds[0],
        origin: '101',
        destination: '+52 55 1234 5678',
        startTime: '2026-01-20T11:00:00Z',
        endTime: '2026-01-20T11:01:00Z',
        direction: 'outbound',
      },
      {
        callId: 'api-2',
        account: accountIds[0],
        origin: '101',
        destination: '+1 214 736 1000',
        direction: 'up',
      },
      'not an object',
    ],
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.accepted, 2, 'the good items');
  const stored = await api.rt
    .ctx('test')
    .db.selectFrom('calls')
    .select('call_id')
    .where('call_id', 'like', 'api%')
    .orderBy('call_id')
    .execute();
  assert.deepEqual(
    stored.map((r) => r.call_id),
    ['api-1', 'api\\tab'],
  );
  assert.deepEqual(
    res.body.errors.map((e: any) => [e.row, e.callId]),
    [
      [3, 'api-2'],
      [4, null],
    ],
    'bad items by position',
  );
  const badHeader = await importCdrs(
    api.rt.ctx('test'),
    csvCdrRows(createReadStream(join(dir, 'missing.csv'))),
    { source: 'test' },
  ).catch((e: unknown) => e);
  assert.ok(badHeader instanceof Error, 'a missing file is an error, not an empty import');
  writeFileSync(join(dir, 'header.csv'), 'id,from,to\n1,2,3\n');
  const h = await importCdrs(api.rt.ctx('test'), csvCdrRows(createReadStream(join(dir, 'header.csv'))), {
    source: 'test',
  });
  assert.deepEqual(
    [h.accepted, h.errors[0]?.row, h.errors[0]?.reason.startsWith('not a CDR header')],
    [0, 1, true],
    JSON.stringify(h),
  );
});

test('the CLI: `cdr import` prints a summary and writes every rejected row to an error file', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollbooth-cli-cdr-'));
  const run = (...args: string[]) => {
    const env = { ...process.env };
    delete env.DATABASE_URL; // the embedded default
    const r = spawnSync(process.execPath, ['bin/tollbooth.js', '--data-dir', dataDir, ...args], {
      encoding: 'utf8',
      env,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  try {
    for (const cmd of [
      ['cdr', 'import'],
      ['rate-deck', 'import'],
      ['rate-deck', 'export'],
    ]) {
      const help = run(...cmd, '--help');
      assert.equal(help.code, 0, cmd.join(' '));
      assert.match(help.out, /Usage: tollbooth/, cmd.join(' '));
    }
    const csv = join(dir, 'cli.csv');
    writeFileSync(
      csv,
      'call_id,account,origin,destination,start_time,end_time,direction\n' +
        'x1,AC-NONE,101,+12127365000,2026-01-05T10:00:00Z,2026-01-05T10:01:00Z,outbound\n' +
        'x2,AC-NONE,101,+12127365000,2026-01-05T10:00:00Z,2026-01-05T09:01:00Z,outbound\n',
    );
    const r = run('cdr', 'import', csv);
    assert.equal(r.code, 2, `exit code 2 when rows were rejected: ${r.err}`);
    assert.match(r.out, /rows read\s+2/, r.out);
    assert.match(r.out, /rejected\s+2/, r.out);
    assert.match(r.out, /row 2: unknown account "AC-NONE"/, r.out);
    const errors = readFileSync(`${csv}.errors.csv`, 'utf8').trim().split('\n');
    assert.deepEqual(
      errors.map((l) => l.split(',').slice(0, 2).join(',')),
      ['row,call_id', '2,x1', '3,x2'],
      'the error file names every rejected row',
    );
    // Wrong arguments: one line saying what is wrong, exit code 2, nothing imported.
    for (const [args, said] of [
      [['cdr', 'import', join(dir, 'missing.csv')], /^error: no such file: .*missing\.csv$/],
      [
        ['cdr', 'import', csv, '--workers', '0'],
        /^error: --workers must be a whole number from 1 to 64, got "0"$/,
      ],
    ] as const) {
      const bad = run(...args);
      assert.equal(bad.code, 2, bad.err);
      assert.match(bad.err.trim(), said);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
