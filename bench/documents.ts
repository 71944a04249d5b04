// Benchmark of invoice PDF rendering on one core.
//
//   npm run bench:documents -- [--count 1000] [--warmup 50]
//
// Renders `count` typical 10-line US monthly invoices (each with its own account, quantities and
// usage, so amounts and glyph use vary) one after another on the main thread, and prints PDFs per
// second with the machine it ran on. The last line of stdout is one JSON object for machines.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { BILLING_ENTITIES } from '../src/setup/reference-data.ts';
import { type InvoiceDocument, renderInvoicePdf, typicalInvoice } from '../src/modules/documents/index.ts';
import { cpuInfo, printResult, exitWithUsage } from './support.ts';

const USAGE = `Usage: npm run bench:documents -- [--count N] [--warmup N]

  --count N    invoices to render and time (default 1000)
  --warmup N   invoices rendered first and not timed (default 50)
`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0 || (name === 'count' && n === 0)) {
    process.stderr.write(
      `--${name} must be a ${name === 'count' ? 'positive' : 'non-negative'} integer.\n\n${USAGE}`,
    );
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    warmup: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) exitWithUsage(USAGE);
const count = positive('count', values.count, 1000);
const warmup = positive('warmup', values.warmup, 50);

const us = BILLING_ENTITIES.find((e) => e.code === 'US');
if (!us) throw new Error('The reference data has no US billing entity.');

// Documents are built before timing: the benchmark measures rendering, not sample building.
const docs: InvoiceDocument[] = Array.from({ length: count }, (_, i) => typicalInvoice(us, warmup + i));
const lineCounts = new Set(docs.map((d) => d.lines.length));

for (let i = 0; i < warmup; i++) await renderInvoicePdf(typicalInvoice(us, i));

let bytes = 0;
const cpuStarted = process.cpuUsage();
const started = process.hrtime.bigint();
for (const doc of docs) {
  const pdf = await renderInvoicePdf(doc);
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-')
    throw new Error(`Invoice ${doc.invoice.number}: not a PDF.`);
  bytes += pdf.length;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;

// No database here, and the architecture rather than the kernel release: rendering is pure CPU.
const machine = {
  ...cpuInfo(),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
};
const pdfsPerSec = count / seconds;
const avgBytes = Math.round(bytes / count);

console.log(`machine   ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.platform}`);
console.log(`rendered  ${count} invoices of ${[...lineCounts].join('/')} lines (after ${warmup} warm-up)`);
console.log(`time      ${seconds.toFixed(2)} s on one core`);
console.log(`rate      ${pdfsPerSec.toFixed(1)} PDFs/s (${((seconds / count) * 1000).toFixed(2)} ms each)`);
console.log(`cpu       ${cpuSeconds.toFixed(2)} s of CPU time (all threads: rendering and V8's helpers)`);
console.log(`size      ${(avgBytes / 1024).toFixed(1)} KiB per PDF on average`);
printResult({
  bench: 'documents',
  pdfsPerSec: Math.round(pdfsPerSec * 10) / 10,
  pdfs: count,
  seconds: Math.round(seconds * 1000) / 1000,
  cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
  avgBytes,
  machine,
});
