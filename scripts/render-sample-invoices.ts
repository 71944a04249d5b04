// Renders the sample invoices (one per language, plus a long one that runs over several pages)
// to out/samples/*.pdf and *.csv, and each PDF page to a PNG with pdftoppm when it is installed
// (Debian: poppler-utils), so a person can look at the layout.
//
//   npm run samples:invoices [-- --out out/samples]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BILLING_ENTITIES } from '../src/setup/reference-data.ts';
import {
  type EntityData,
  type InvoiceDocument,
  brazilianMonthlyInvoice,
  longInvoice,
  mexicanMonthlyInvoice,
  renderInvoiceCsv,
  renderInvoicePdf,
  usMonthlyInvoice,
} from '../src/modules/documents/index.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'out/samples' } } });
const outDir = resolve(values.out!);

function entity(code: string): EntityData {
  const e = BILLING_ENTITIES.find((x) => x.code === code);
  if (!e) throw new Error(`No billing entity ${code} in the reference data.`);
  return e;
}

const samples: [string, InvoiceDocument][] = [
  ['invoice-en-us', usMonthlyInvoice(entity('US'))],
  ['invoice-es-mx', mexicanMonthlyInvoice(entity('MX'))],
  ['invoice-pt-br', brazilianMonthlyInvoice(entity('US'))],
  ['invoice-en-ca-long', longInvoice(entity('CA'), 120)],
];
// RUN-12: a reissue's two documents, each naming the other.
const replaced = brazilianMonthlyInvoice(entity('US'));
const replacement = usMonthlyInvoice(entity('US'));
samples.push(
  [
    'invoice-pt-br-voided-reissued',
    { ...replaced, invoice: { ...replaced.invoice, voided: true, replacedBy: replacement.invoice.number } },
  ],
  [
    'invoice-en-us-replacement',
    { ...replacement, invoice: { ...replacement.invoice, replaces: replaced.invoice.number } },
  ],
);

function hasPdftoppm(): boolean {
  try {
    execFileSync('pdftoppm', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

mkdirSync(outDir, { recursive: true });
const png = hasPdftoppm();
for (const [name, doc] of samples) {
  const pdfPath = join(outDir, `${name}.pdf`);
  writeFileSync(pdfPath, await renderInvoicePdf(doc));
  writeFileSync(join(outDir, `${name}.csv`), renderInvoiceCsv(doc));
  console.log(pdfPath);
  console.log(join(outDir, `${name}.csv`));
  if (!png) continue;
  for (const f of readdirSync(outDir)) {
    if (f.startsWith(`${name}-`) && f.endsWith('.png')) rmSync(join(outDir, f));
  }
  execFileSync('pdftoppm', ['-png', '-r', '80', pdfPath, join(outDir, name)]);
  for (const f of readdirSync(outDir).sort()) {
    if (f.startsWith(`${name}-`) && f.endsWith('.png')) console.log(join(outDir, f));
  }
}
if (!png) console.error('pdftoppm not found (Debian: apt-get install poppler-utils): no PNGs made.');
