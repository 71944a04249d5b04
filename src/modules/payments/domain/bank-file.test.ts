import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBankFile, splitCsvLine } from './bank-file.ts';

test('PAY-1: bank file lines carry the invoice number in the SPEI/transfer reference', () => {
  const { lines, errors } = parseBankFile(
    [
      'Date,Amount,Currency,Reference,Bank Reference',
      '2026-09-12,1234.56,MXN,SPEI IN30000000042,8846120',
      '2026-09-12,"1,000.00",MXN,x,1',
      '2026-09-13,99.00,USD,"ACH, no invoice",2',
      '',
    ].join('\n'),
  );
  assert.equal(lines.length, 2, 'two good lines');
  assert.deepEqual(
    [lines[0]!.amount, lines[0]!.invoiceNumber, lines[0]!.bankReference, lines[0]!.line],
    [123456, 'IN30000000042', '8846120', 2],
    'first line',
  );
  assert.equal(lines[1]!.invoiceNumber, null, 'no invoice number in the reference');
  assert.equal(errors.length, 1, 'the grouped amount is refused');
  assert.equal(errors[0]!.line, 3, 'on line 3');
  assert.deepEqual(splitCsvLine('a,"b ""q"", c",d'), ['a', 'b "q", c', 'd'], 'quotes');
});

test('a file without the needed columns is refused as a whole', () => {
  const { lines, errors } = parseBankFile('when,how much\n2026-09-12,10.00');
  assert.equal(lines.length, 0, 'nothing read');
  assert.match(
    errors[0]!.reason,
    /missing column\(s\): date, amount, currency, reference/,
    errors[0]!.reason,
  );
});
