// USG-1: a CDR file read as bytes (import-bytes.ts) becomes exactly what the same file read as
// text rows becomes: the same binary COPY rows, sums, call sets and report, whatever the rows hold and
// wherever the file's blocks end. The bytes reader takes the usual rows itself and hands every
// other one to the text way; this proves both take rows the same, and that both ways were taken.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvCdrRows } from './cdr-csv.ts';
import { fileCopyPieces } from './import-bytes.ts';
import { CALL_COLUMNS, type CopyPiece, RowChecker, copyPieces, emptyReport } from './import.ts';
import type { CallClassRow } from './repo.ts';
import {
  type TestApi,
  createTestAccount,
  numberItem,
  putDemoDeck,
  putTestCallingPlan,
  signAndEquip,
  testApi,
} from '../../../test/support/api.ts';
import { setRows } from '../../../test/support/call-sets.ts';
import { random } from '../../../test/support/random.ts';

let api: TestApi;
const dir = mkdtempSync(join(tmpdir(), 'tollbooth-bytes-'));
const file = join(dir, 'mixed.csv');
const wideFile = join(dir, 'mixed-wide.csv');
const BATCH = 77;
/** The start instants of rows whose start_time is canonical, by call id (epoch ms). */
const startOf = new Map<string, number>();
/** The direction each call id's row gives. */
const directionOf = new Map<string, string>();

before(async () => {
  api = await testApi({ simulatedClock: '2026-01-01T00:00:00Z' });
  await putDemoDeck(api);
  await putTestCallingPlan(api);

  // Chicago: phones, a low-usage device, its own and a toll-free number.
  const chicago = await createTestAccount(api, {
    companyName: 'Lakeshore Freight',
    timeZone: 'America/Chicago',
  });
  const extensions = Array.from({ length: 20 }, (_, i) => String(101 + i));
  await signAndEquip(api, chicago.id, { signatureDate: '2026-01-10', commitments: { lowUsageDevices: 1 } }, [
    { itemCode: 'device.desk-phone', quantity: 20, addedOn: '2026-01-10', attributes: { extensions } },
    { itemCode: 'device.low-usage', quantity: 1, addedOn: '2026-01-10', attributes: { extensions: ['301'] } },
    numberItem('number.local', '+1 512 736 0100', '2026-01-10'),
    numberItem('number.toll-free', '+1 800 736 0199', '2026-01-10'),
  ]);
  // Los Angeles: phones only. Unsigned: no contract, its calls wait unrated.
  const la = await createTestAccount(api, { companyName: 'Harbor Dental', timeZone: 'America/Los_Angeles' });
  await signAndEquip(api, la.id, { signatureDate: '2026-01-01' }, [
    {
      itemCode: 'device.desk-phone',
      quantity: 2,
      addedOn: '2026-01-01',
      attributes: { extensions: ['101', '102'] },
    },
  ]);
  const unsigned = await createTestAccount(api, { companyName: 'Pending Co' });

  const r = random(20260201);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const often = <T>(usual: T, others: readonly T[], p = 0.15): T => (r() < p ? pick(others) : usual);
  const accounts = [chicago.id, chicago.id, chicago.number, la.id, la.number, unsigned.id];
  const origins = ['101', '102', '103', '301', '+1 646 736 0001', '(512) 736-0100', '+15127360100'];
  const destinations = [
    '+1 212 736 5000',
    '2127365000',
    '(312) 726-0142',
    '+1 787 555 1000',
    '+44 20 7946 0000',
    '+55 11 98765 4321',
    '+55 11 3456 7890',
    '+1 800 736 0199',
    '+1 512 736 0100',
    '102',
    '+353 84 123 4567',
  ];
  const lines = ['call_id,account,origin,destination,start_time,end_time,direction,origin_device'];
  // Columns in another order, with others the import does not read: the header says which is which.
  const wide = [
    'trunk,call_id,account,origin,destination,carrier,start_time,end_time,direction,cost_center,origin_device,note',
  ];
  for (let i = 0; i < 4000; i++) {
    // Instants around month ends in both zones, and before Chicago's billing start.
    const start =
      Date.UTC(2026, 0, 1, 0, 0, 0) +
      Math.floor(r() * 33 * 86_400) * 1000 -
      86_400_000 * (r() < 0.05 ? 40 : 0);
    const seconds = r() < 0.1 ? 0 : Math.floor(r() * 1200);
    const iso = (ms: number) => new Date(ms).toISOString();
    const canonical = (ms: number) => (r() < 0.5 ? iso(ms) : iso(ms).replace('.000Z', 'Z'));
    const fields = [
      often(`c-${i}`, ['', 'x'.repeat(129), `back\\${i}`, `a,b-${i}`, `q"${i}`, ` pad-${i} `, `null`]),
      often(pick(accounts), [` ${chicago.id} `, 'AC-NOPE', '', chicago.number.toLowerCase()]),
      often(pick(origins), ['abc', '999', ' 101 ', '']),
      often(pick(destinations), ['+1 212', '', '+999 1234567', ' +1 415 736 0100 ']),
      often(canonical(start), [
        iso(start).replace('T', ' ').replace('.000Z', ''),
        iso(start - 5 * 3_600_000).replace('.000Z', '-05:00'),
        '2026-02-30T10:00:00Z',
        'yesterday',
        iso(start).slice(0, 16) + 'Z',
      ]),
      often(canonical(start + seconds * 1000), [iso(start - 5000), iso(start + 8 * 86_400_000), ''], 0.05),
      often(r() < 0.85 ? 'outbound' : 'inbound', ['Outbound', ' inbound', 'sideways']),
      often('', ['301', 'Front Desk', ' padded ', 'tab\there', 'back\\slash', 'Recepção', '101'], 0.2),
    ];
    // A duplicate id would make COPY refuse the file: ids are made unique where they repeat.
    if (fields[0] === 'null' || fields[0] === '') fields[0] = r() < 0.5 ? fields[0] : `n-${i}`;
    if (fields[0] === 'null' && lines.some((l) => l.startsWith('null,'))) fields[0] = `m-${i}`;
    if (fields[0] === 'x'.repeat(129)) fields[0] += i;
    if (fields[4] === iso(start) || fields[4] === iso(start).replace('.000Z', 'Z'))
      startOf.set(fields[0]!, start);
    directionOf.set(fields[0]!.trim(), fields[6]!);
    const cells = fields.map((f) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f));
    // The same row with the columns of the wide header.
    const [id, account, origin, destination, start_time, end_time, direction, device] = cells;
    const wideCells = [`t${i % 7}`, id, account, origin, destination, 'carrier', start_time];
    wideCells.push(end_time!, direction!, 'cc', device!, 'note');
    const shape = r();
    let line = cells.join(',');
    let wideLine = wideCells.join(',');
    if (shape < 0.02) {
      // Short of fields: cut after start_time.
      line = cells.slice(0, 5).join(',');
      wideLine = wideCells.slice(0, 7).join(',');
    } else if (shape < 0.04) {
      line += ',extra';
      wideLine += ',extra';
    } else if (shape < 0.06) {
      lines.push(''); // a blank line before it
      wide.push('');
    } else if (shape < 0.07) {
      lines.push('   ');
      wide.push('   ');
    }
    lines.push(shape > 0.95 ? `${line}\r` : line);
    wide.push(shape > 0.95 ? `${wideLine}\r` : wideLine);
  }
  writeFileSync(file, lines.join('\n'));
  writeFileSync(wideFile, wide.join('\n'));
});

after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  report: ReturnType<typeof emptyReport>;
  calls: CallFields[];
  totals: unknown[];
  sets: string[];
  setPieces: number;
  /** Rows written by the bytes reader itself (from the file's bytes) and from text rows. */
  byteRows: number;
  textRows: number;
  /** Pieces whose memory the reader may write again once taken: of calls, of call sets. */
  recycled: number;
  setsRecycled: number;
}

/** Calls per COPY stretch here: a file of 4,000 rows makes several call-sets pieces. */
const STRETCH = 300;

/** Pieces of calls a consumer holds before it takes the oldest (as a COPY has some in flight). */
const HELD = 3;

/**
 * What the pieces make. Pieces are held as given, HELD at a time, and read when taken, then told
 * done (as writePieces does when the connection has their bytes): the bytes reader may write a
 * piece's memory again only after, so one written over too early reads wrong here.
 */
async function collect(pieces: (checker: RowChecker) => AsyncIterable<CopyPiece>): Promise<Outcome> {
  const report = emptyReport('imp_test');
  const checker = new RowChecker(api.rt.ctx('test'), report, 97, STRETCH);
  const out: Outcome = {
    report,
    calls: [],
    totals: [],
    sets: [],
    setPieces: 0,
    byteRows: 0,
    textRows: 0,
    recycled: 0,
    setsRecycled: 0,
  };
  const made: CallClassRow[] = [];
  const held: CopyPiece[] = [];
  const take = () => {
    const piece = held.shift()!;
    if ('sets' in piece) {
      out.setPieces++;
      out.sets.push(...setMembers(piece.sets));
      made.push(...piece.classes);
      if (piece.done) {
        out.setsRecycled++;
        piece.done();
      }
      return;
    }
    const rows = callFields(piece.calls);
    if (piece.fast) out.byteRows += rows.length;
    else out.textRows += rows.length;
    out.calls.push(...rows);
    if (piece.done) {
      out.recycled++;
      piece.done();
    }
  };
  for await (const piece of pieces(checker)) {
    held.push(piece);
    if (held.length > HELD) take();
  }
  while (held.length > 0) take();
  // The classes handed over with the stretches' sets, then those left for the import's end (as
  // finishImport writes them): each once.
  made.push(...checker.classes.fresh());
  // Each call with its class's fields in place of its class number (numbers differ by the order
  // classes are met in; what they stand for must not).
  const classes = new Map(made.map((k) => [String(k.class), k]));
  assert.equal(classes.size, made.length, 'one number per class, handed over once');
  out.calls = out.calls.map((c) => {
    const { class: cls, ...call } = c;
    const k = classes.get(cls);
    assert.ok(k, `${c.call_id}: its class ${cls} is one the import made`);
    const { class: _n, ...fields } = k;
    return { ...call, ...mapValues(fields, (v) => (v === null ? '\\N' : String(v))) } as CallFields;
  });
  out.calls.sort((a, b) => Number(a.import_row) - Number(b.import_row));
  out.totals = checker.totals
    .rows()
    .map((t) =>
      JSON.stringify({ ...t, rate: t.rate && [t.rate.prefix, t.rate.validFrom, t.rate.ratePerMinute] }),
    )
    .sort();
  out.sets.sort();
  report.errors.sort((a, b) => a.row - b.row);
  return out;
}

/** How binary COPY writes each of the calls' columns. */
const CALL_KINDS: Record<CallColumn, 'text' | 'instant' | 'int4' | 'int8'> = {
  call_id: 'text',
  started_at: 'instant',
  duration_seconds: 'int4',
  origin: 'text',
  destination: 'text',
  origin_device: 'text',
  import_row: 'int4',
  billable_seconds: 'int4',
  batch: 'int8',
  class: 'int8',
};
type CallColumn = (typeof CALL_COLUMNS)[number];
/** A call's columns, then (once its class is looked up) its class's in place of its number. */
type CallFields = Record<CallColumn | keyof CallClassRow, string>;
const mapValues = <T extends object>(o: T, f: (v: T[keyof T]) => string): Record<string, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v as T[keyof T])]));

/**
 * Binary COPY rows of calls (callRow) read back column by column: NULL as \N, the start instant in
 * epoch milliseconds, numbers in decimal. A row with a field of the wrong
 * length for its column fails.
 */
function callFields(rows: Uint8Array): CallFields[] {
  const view = new DataView(rows.buffer, rows.byteOffset, rows.byteLength);
  const found: CallFields[] = [];
  let at = 0;
  while (at < rows.length) {
    assert.equal(view.getInt16(at), CALL_COLUMNS.length, 'a field per column');
    at += 2;
    const row = {} as CallFields;
    for (const column of CALL_COLUMNS) {
      const kind = CALL_KINDS[column];
      const n = view.getInt32(at);
      at += 4;
      if (n === -1) {
        row[column] = '\\N';
        continue;
      }
      if (kind === 'text') row[column] = Buffer.from(rows.subarray(at, at + n)).toString('utf8');
      else {
        assert.equal(n, kind === 'int4' ? 4 : 8, `${column}: a ${kind} field`);
        if (kind === 'int4') row[column] = String(view.getInt32(at));
        else if (kind === 'int8') row[column] = String(view.getBigInt64(at));
        // PostgreSQL counts instants in microseconds from 2000-01-01.
        else row[column] = String(Number(view.getBigInt64(at) / 1000n) + Date.UTC(2000, 0, 1));
      }
      at += n;
    }
    found.push(row);
  }
  return found;
}

/** Call sets as binary COPY rows (CallSets.flush) as "account month id ms" per call. */
const setMembers = (rows: Uint8Array): string[] =>
  setRows(rows).flatMap(({ account, month, ids, ms }) =>
    ids.map((id, k) => `${account} ${month} ${id} ${ms[k]}`),
  );

test('a file read as bytes, in blocks of any size, becomes what it becomes read as text rows', async () => {
  const text = await collect((checker) => copyPieces(checker, csvCdrRows(createReadStream(file)), BATCH));
  assert.ok(text.report.accepted > 1500, `enough good rows (${text.report.accepted})`);
  assert.ok(text.report.errors.length > 500, `enough bad rows (${text.report.errors.length})`);
  assert.equal(text.sets.length, text.report.accepted, 'every stored call is in a call set');
  const kinds = new Set(text.calls.map((c) => `${c.call_type}|${c.rate_from}`));
  assert.ok(kinds.size >= 8, `rated, deck-priced and unrated calls alike: ${[...kinds].join(' ')}`);

  assert.ok(text.setPieces >= 5, `call sets every ${STRETCH} calls: ${text.setPieces} pieces`);
  // The binary fields hold what the rows say: the start instant, the batch, deck dates.
  const started = text.calls.filter((c) => startOf.has(c.call_id));
  assert.ok(started.length > 1000, `${started.length} calls with a known start`);
  for (const c of started)
    assert.equal(Number(c.started_at), startOf.get(c.call_id), `${c.call_id}: its start`);
  assert.ok(
    text.calls.every((c) => c.batch === String(BATCH)),
    'every call in the batch',
  );
  for (const c of text.calls) {
    assert.equal(
      c.direction,
      directionOf.get(c.call_id)?.trim().toLowerCase(),
      `${c.call_id}: its direction`,
    );
    // Numbers as stored: E.164 or an extension.
    assert.match(c.origin, /^(\+[1-9][0-9]{6,14}|[0-9]{2,6})$/, `${c.call_id}: its origin`);
    assert.match(c.destination, /^(\+[1-9][0-9]{6,14}|[0-9]{2,6})$/, `${c.call_id}: its destination`);
  }
  const priced = text.calls.filter((c) => c.rate_prefix !== '\\N');
  assert.ok(priced.length > 100, `${priced.length} deck-priced calls`);
  for (const c of priced)
    assert.match(c.rate_from, /^20[0-9]{2}-[01][0-9]-[0-3][0-9]$/, `${c.call_id}: its deck entry's date`);

  const wideText = await collect((checker) =>
    copyPieces(checker, csvCdrRows(createReadStream(wideFile)), BATCH),
  );
  assert.deepEqual(wideText.calls, text.calls, 'the wide file holds the same calls');
  assert.deepEqual(
    wideText.report.errors.map((e) => e.reason.replace('13 fields where the header has 12', 'too wide')),
    text.report.errors.map((e) => e.reason.replace('9 fields where the header has 8', 'too wide')),
    'and the same rows refused, a field too many said with its header',
  );
  assert.ok(text.report.errors.some((e) => e.reason.startsWith('9 fields where the header has 8')));

  // The reader's tables (numbers, devices, account keys) starting over after every block change nothing.
  const forgetful = { texts: 0, accounts: 0 };
  for (const [path, block, recycle, kept] of [
    [file, undefined, true, undefined],
    [file, 65_536, true, undefined],
    [file, 1_000, false, undefined],
    [file, 97, true, undefined],
    [file, 4_096, true, forgetful],
    [wideFile, undefined, true, undefined],
    [wideFile, 1_000, true, forgetful],
  ] as const) {
    const bytes = await collect((checker) => fileCopyPieces(checker, { path, block, recycle, kept }, BATCH));
    const at = `${path === wideFile ? 'wide header, ' : ''}${block === undefined ? 'the file in one read' : `blocks of ${block} bytes`}${recycle ? ', memory recycled' : ''}${kept ? ', tables emptied after each block' : ''}`;
    // The wide file's rows with a field too many say so with its header's width.
    const expected = path === wideFile ? wideText : text;
    assert.deepEqual(bytes.report, expected.report, `${at}: the report`);
    assert.deepEqual(bytes.calls, text.calls, `${at}: the calls, column by column`);
    assert.deepEqual(bytes.totals, text.totals, `${at}: the sums`);
    assert.deepEqual(bytes.sets, text.sets, `${at}: the call sets`);
    assert.ok(bytes.setPieces >= 2, `${at}: ${bytes.setPieces} call-sets pieces`);
    // Pieces of the bytes reader's calls come with done exactly when their memory is recycled.
    // (a block read hands over what it made: small blocks make many pieces, each written again).
    if (!recycle) assert.equal(bytes.recycled + bytes.setsRecycled, 0, at);
    else {
      assert.ok(
        bytes.recycled >= (block !== undefined && block <= 1_000 ? 10 * HELD : 1),
        `${at}: ${bytes.recycled} recycled`,
      );
      // So do its call sets, every stretch's.
      assert.equal(bytes.setsRecycled, bytes.setPieces, `${at}: call-sets pieces recycled`);
    }
    if (block !== undefined && block <= 1_000) {
      // A block holds a few rows at most: the sets follow every stretch of calls, fast or not.
      const stretches = Math.floor(text.report.accepted / (STRETCH + 20));
      assert.ok(bytes.setPieces >= stretches, `${at}: ${bytes.setPieces} call-sets pieces`);
    }
    // Both ways were taken: most good rows by the bytes reader, the rest (new accounts, odd rows) as text.
    assert.equal(bytes.byteRows + bytes.textRows, text.report.accepted, at);
    assert.ok(bytes.byteRows > text.report.accepted / 2, `${at}: ${bytes.byteRows} rows read as bytes`);
    assert.ok(bytes.textRows > 0, `${at}: ${bytes.textRows} rows read as text`);
  }
});
