// `tollbooth invoices pdf`: a demo invoice written as a PDF (by number), as CSV, in another
// language and to stdout; an unknown invoice is a clear error.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'tollbooth-cli-docs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bin = join(process.cwd(), 'bin/tollbooth.js');
/** Runs the command in `cwd` (default: the repository) on the embedded database in a fresh directory. */
const runIn = (cwd: string, ...args: string[]) => {
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [bin, '--data-dir', join(dir, 'data'), ...args], {
    cwd,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout, err: r.stderr.toString('utf8') };
};
const run = (...args: string[]) => runIn(process.cwd(), ...args);
const pdfText = (file: string) => execFileSync('pdftotext', ['-q', file, '-']).toString('utf8');

test('invoices pdf --help describes the command and its options', () => {
  const h = run('invoices', 'pdf', '--help');
  assert.equal(h.code, 0, h.err);
  const text = h.out.toString('utf8');
  assert.match(text, /Usage: tollbooth invoices pdf \[options\] <invoice>/);
  for (const option of ['--out', '--csv', '--lang']) assert.ok(text.includes(option), option);
});

test('a demo invoice as PDF and CSV, in its language or another', () => {
  const demo = run('--simulated-clock', '2026-11-20', 'demo');
  assert.equal(demo.code, 0, demo.err);
  const list = run('invoices', 'list', '--month', '2026-11', '--limit', '200').out.toString('utf8');
  const us = /IN1\d{10}/.exec(list)?.[0];
  const mx = /IN6\d{10}/.exec(list)?.[0];
  assert.ok(us && mx, `a US and a Mexican invoice in the list:\n${list}`);

  const pdf = join(dir, 'us.pdf');
  const r = run('invoices', 'pdf', us, '--out', pdf);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, new RegExp(`${us} \\(\\$[\\d,]+\\.\\d{2}, en-US\\) written to`));
  assert.equal(readFileSync(pdf).subarray(0, 5).toString(), '%PDF-');
  assert.ok(pdfText(pdf).includes(us), 'the PDF shows its number');

  // Without --out the file is <invoice number>.pdf in the working directory.
  const mxRun = runIn(dir, 'invoices', 'pdf', mx);
  assert.equal(mxRun.code, 0, mxRun.err);
  assert.ok(existsSync(join(dir, `${mx}.pdf`)), 'written as <number>.pdf');
  const mxText = pdfText(join(dir, `${mx}.pdf`));
  assert.ok(mxText.includes('FACTURA') && mxText.includes(mx), 'the Mexican invoice in Spanish');

  const en = join(dir, 'mx-en.pdf');
  assert.equal(run('invoices', 'pdf', mx, '--lang', 'en', '--out', en).code, 0);
  assert.ok(pdfText(en).includes('INVOICE'), '--lang en prints it in English');

  const csv = run('invoices', 'pdf', us, '--csv', '--out', '-');
  assert.equal(csv.code, 0, csv.err);
  const rows = csv.out.toString('utf8').trim().split(/\r\n/);
  assert.match(rows[0]!, /^record,invoice_number,/);
  assert.ok(
    rows.some((row) => row.startsWith(`line,${us},`)),
    'line rows of the invoice',
  );
});

test('an unknown invoice or language is refused with a clear message', () => {
  const missing = run('invoices', 'pdf', 'IN99999999999');
  assert.equal(missing.code, 1);
  assert.match(missing.err, /No invoice IN99999999999\. \(invoice_not_found\)/);
  const lang = run('invoices', 'pdf', 'IN99999999999', '--lang', 'de');
  assert.equal(lang.code, 1);
  assert.match(lang.err, /Allowed choices are en, es, pt/);
});
