import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { csvCdrRows, headerTrouble } from './cdr-csv.ts';
import { StringDecoder } from 'node:string_decoder';
import { cdrColumns, rawCdrFromFields, splitCsvLine } from './domain/cdr.ts';
import type { CdrRow } from './import.ts';
import { random } from '../../../test/support/random.ts';

/**
 * The reference reader (the import's first one): split the block into lines, each line into
 * fields. The block reader must read every file exactly as this does.
 */
async function* splitCsvCdrRows(input: Readable): AsyncGenerator<CdrRow[]> {
  const decoder = new StringDecoder('utf8');
  let line = 0;
  let rest = '';
  let col: Exclude<ReturnType<typeof cdrColumns>, string[]> | null = null;
  let width = 0;
  let refused = false;
  const parse = (texts: readonly string[]): CdrRow[] => {
    const rows: CdrRow[] = [];
    for (let text of texts) {
      line++;
      if (refused) continue;
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.trim() === '') continue;
      const fields = splitCsvLine(text);
      if (col === null) {
        const header = fields === null || text.includes('\r') ? ['?'] : cdrColumns(fields);
        if (Array.isArray(header)) {
          rows.push({ row: line, error: `not a CDR header: ${headerTrouble(text, header)}` });
          refused = true;
        } else {
          col = header;
          width = fields!.length;
        }
        continue;
      }
      if (fields === null) rows.push({ row: line, error: 'a quoted field is not closed' });
      else if (fields.length > width) {
        const callId = (fields[col.call_id] ?? '').trim();
        rows.push({
          row: line,
          ...(callId === '' ? {} : { callId }),
          error: `${fields.length} fields where the header has ${width}: quote a field that holds a comma`,
        });
      } else rows.push({ row: line, raw: rawCdrFromFields(fields, col) });
    }
    return rows;
  };
  for await (const block of input) {
    const text = rest + (typeof block === 'string' ? block : decoder.write(block as Buffer));
    const lines = text.split('\n');
    rest = lines.pop()!;
    const rows = parse(lines);
    if (rows.length > 0) yield rows;
    if (refused) return;
  }
  const tail = parse([rest + decoder.end()]);
  if (tail.length > 0) yield tail;
}

const HEADER = 'call_id,account,origin,destination,start_time,end_time,direction,origin_device';

async function read(
  reader: (input: Readable) => AsyncGenerator<CdrRow[]>,
  chunks: readonly (Buffer | string)[],
): Promise<CdrRow[][]> {
  const batches: CdrRow[][] = [];
  for await (const batch of reader(Readable.from(chunks))) batches.push(batch);
  return batches;
}

/** Both readers over the same chunks: the same batches of the same rows. */
async function same(chunks: readonly (Buffer | string)[], message: string): Promise<CdrRow[][]> {
  const expected = await read(splitCsvCdrRows, chunks);
  assert.deepEqual(await read(csvCdrRows, chunks), expected, message);
  return expected;
}

/** The file cut into pieces of the given byte lengths (the last takes the rest). */
function cut(file: Buffer, sizes: readonly number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= file.length) break;
    pieces.push(file.subarray(at, at + size));
    at += size;
  }
  if (at < file.length) pieces.push(file.subarray(at));
  return pieces;
}

const row = (id: string, extra = '') =>
  `${id},acc_1,101,+1 212 736 5000,2026-01-05T16:00:00Z,2026-01-05T16:01:00.000Z,outbound,${extra}`;

const FILES: Record<string, string> = {
  plain: [HEADER, row('c1'), row('c2', 'desk'), row('c3')].join('\n') + '\n',
  'no final line feed': [HEADER, row('c1'), row('c2')].join('\n'),
  'CR LF': [HEADER, row('c1'), row('c2'), ''].join('\r\n'),
  'CR LF, none at the end': [HEADER, row('c1'), row('c2')].join('\r\n'),
  'blank lines counted, not read': [
    '',
    '  ',
    HEADER,
    '',
    row('c1'),
    '\r',
    ' \t ',
    '\u00a0',
    row('c2'),
    '',
    '',
  ].join('\n'),
  'BOM in the header': `\ufeff${HEADER}\n${row('c1')}\n`,
  'header in another order, no origin_device':
    'direction,Call_ID ,account,origin,destination,START_TIME,end_time\ninbound,x1,acc_1,o,d,s,e\nOutbound,x2\n',
  'quoted header': `"call_id","account",origin,destination,start_time,end_time,direction\n${row('c1')}\n`,
  'not a CDR header': 'id,from,to\nc1,a,b\nc2,a,b\n',
  'header with an unclosed quote': '"call_id,account\nc1,a\n',
  'empty file': '',
  'header only': `${HEADER}\n`,
  'only blank lines': '\n\n \r\n',
  'quoted fields': [
    HEADER,
    'c1,"acc_1","+1 212, 736 5000",101,2026-01-05T16:00:00Z,2026-01-05T16:01:00Z,outbound,"desk ""A"""',
    '"c2",acc_1,101,102,2026-01-05T16:00:00Z,2026-01-05T16:01:00Z,"inbound",',
    'c3,ac"c_1,101,102,x,y,outbound,',
    'c4,"",101,102,x,y,outbound,""',
  ].join('\n'),
  'unclosed quote': [HEADER, row('c1'), 'c2,"acc_1,101', row('c3'), '"'].join('\n'),
  'short and long rows': [HEADER, 'c1', 'c1,acc_1', `${row('c2')},x,y,z`, ',,,,,,,', ','].join('\n'),
  'spaces and case kept for the check': [
    HEADER,
    ` c1 , acc_1 ,101,102, 2026-01-05T16:00:00Z ,x, OUTBOUND ,`,
  ].join('\n'),
  'carriage return inside a line': [HEADER, 'c1\r,acc_1\r,101,102,s,e,outbound,\r\r'].join('\n'),
  'non-ASCII text': [
    HEADER,
    row('c1', 'téléphone-été'),
    row('ç2', '電話😀'),
    'c3,"accé,😀",1,2,s,e,in,',
  ].join('\n'),
  'non-breaking space at the start of a row': [HEADER, `\u00a0${row('c1')}`, `\u2028${row('c2')}`].join('\n'),
  'a comma in an unquoted device': [
    HEADER,
    row('c1', 'Reception, Desk 2'),
    row('c2', '"Reception, Desk 2"'),
  ].join('\n'),
  'carriage returns alone': [HEADER, row('c1'), row('c2')].join('\r'),
  semicolons: [HEADER, row('c1')].join('\n').replaceAll(',', ';'),
  'UTF-16': Buffer.from(`${HEADER}\n${row('c1')}\n`, 'utf16le').toString('latin1'),
};

test('the block reader reads every tricky file as the line splitter does, whole or cut anywhere', async () => {
  for (const [name, text] of Object.entries(FILES)) {
    const file = Buffer.from(text, 'utf8');
    await same([file], `${name}: one block`);
    await same([text], `${name}: one string`);
    await same(
      [...text].map((c) => c),
      `${name}: one string per character`,
    );
    await same(
      [...file].map((b) => Buffer.from([b])),
      `${name}: one byte per block`,
    );
    for (let at = 0; at <= file.length; at++) await same(cut(file, [at]), `${name}: cut at byte ${at}`);
  }
});

test('line numbers, errors and the stop after a bad header', async () => {
  const rows = (await same([Buffer.from(FILES['blank lines counted, not read']!)], 'blank')).flat();
  assert.deepEqual(
    rows.map((r) => r.row),
    [5, 9],
    'the header is line 3; blank lines are counted',
  );
  const refused = (await same([Buffer.from(FILES['not a CDR header']!)], 'refused')).flat();
  assert.deepEqual(refused, [
    {
      row: 1,
      error:
        'not a CDR header: missing column(s) call_id, account, origin, destination, start_time, end_time, direction',
    },
  ]);
  const unclosed = (await same([Buffer.from(FILES['unclosed quote']!)], 'unclosed')).flat();
  assert.deepEqual(
    unclosed.map((r) => ('error' in r ? [r.row, r.error] : [r.row, r.raw.callId])),
    [
      [2, 'c1'],
      [3, 'a quoted field is not closed'],
      [4, 'c3'],
      [5, 'a quoted field is not closed'],
    ],
  );
  // A row with more fields than the header is refused (by row, with its call id), not read with
  // its fields shifted; quoted, the same comma is part of the field.
  const wide = (await same([Buffer.from(FILES['a comma in an unquoted device']!)], 'wide')).flat();
  assert.deepEqual(
    wide.map((r) => ('error' in r ? [r.row, r.callId, r.error] : [r.row, r.raw.originDevice])),
    [
      [2, 'c1', '9 fields where the header has 8: quote a field that holds a comma'],
      [3, 'Reception, Desk 2'],
    ],
  );
  // A first line that is not a CDR header says what to fix when the file's shape is the trouble.
  const troubles = Object.fromEntries(
    await Promise.all(
      ['carriage returns alone', 'semicolons'].map(async (name) => [
        name,
        (await same([Buffer.from(FILES[name]!)], name)).flat().map((r) => 'error' in r && r.error),
      ]),
    ),
  );
  assert.deepEqual(troubles, {
    'carriage returns alone': [
      'not a CDR header: its lines end in a carriage return alone (an old Mac OS file): save it with LF or CRLF line endings',
    ],
    semicolons: [
      'not a CDR header: its fields are separated by semicolons: save it as comma-separated values',
    ],
  });
  const utf16 = Buffer.from(`${HEADER}\n${row('c1')}\n`, 'utf16le');
  assert.deepEqual(
    (await same([utf16], 'UTF-16')).flat().map((r) => 'error' in r && r.error),
    ['not a CDR header: the file is UTF-16 (or another encoding with zero bytes): save it as UTF-8'],
  );
  const crlf = (await same([Buffer.from(FILES['CR LF']!)], 'crlf')).flat();
  assert.deepEqual(
    crlf.map((r) => 'raw' in r && r.raw.originDevice),
    ['', ''],
    'no carriage return left on the last field',
  );
});

const PIECES = [
  'a',
  'Z',
  '0',
  '9',
  ' ',
  ',',
  ',',
  '"',
  '""',
  '\r',
  '\t',
  'é',
  '€',
  '😀',
  '\u00a0',
  '+1 212',
  '\ufeff',
];

test('random files cut into random blocks read the same', async () => {
  const r = random(20260101);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)]!;
  for (let file = 0; file < 300; file++) {
    const lines: string[] = [];
    const headers = [HEADER, `\ufeff${HEADER}`, ` ${HEADER.toUpperCase()} `, 'call_id,account', ''];
    lines.push(r() < 0.85 ? headers[0]! : pick(headers));
    const count = Math.floor(r() * 40);
    for (let i = 0; i < count; i++) {
      const kind = r();
      if (kind < 0.1) lines.push(pick(['', ' ', '\r', '\t \r']));
      else if (kind < 0.7) lines.push(row(`c${i}`, r() < 0.3 ? 'dev' : ''));
      else {
        const fields = Array.from({ length: Math.floor(r() * 10) }, () =>
          Array.from({ length: Math.floor(r() * 5) }, () => pick(PIECES)).join(''),
        );
        lines.push(
          r() < 0.3 ? fields.map((f) => `"${f.replaceAll('"', '""')}"`).join(',') : fields.join(','),
        );
      }
    }
    const eol = r() < 0.3 ? '\r\n' : '\n';
    const text = lines.join(eol) + (r() < 0.5 ? eol : '');
    const bytes = Buffer.from(text, 'utf8');
    const sizes = Array.from({ length: 200 }, () => 1 + Math.floor(r() * (r() < 0.5 ? 8 : 400)));
    await same(cut(bytes, sizes), `file ${file}: ${JSON.stringify(text.slice(0, 200))}`);
  }
});
