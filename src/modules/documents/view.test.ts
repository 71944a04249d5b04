import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Remittance } from '../accounts/index.ts';
import { BILLING_ENTITIES } from '../../setup/reference-data.ts';
import {
  type DocumentRemittance,
  type InvoiceDocumentLine,
  documentSummary,
  lineGroupOf,
  lineSections,
  usMonthlyInvoice,
} from './index.ts';

// The accounts module's remittance fills the document's as it is (checked by the type checker).
const _sameShape: (r: Remittance) => DocumentRemittance = (r) => r;

const line = (lineType: string, amount: number, itemCode: string | null = null): InvoiceDocumentLine => ({
  lineType,
  itemCode,
  description: lineType,
  quantity: 1,
  unitPrice: amount,
  periodStart: null,
  periodEnd: null,
  prorateDays: null,
  periodDays: null,
  amount,
});

describe('line groups', () => {
  test('by line type, and by fee./tax. prefixes on the type or the item code', () => {
    const cases: [string, string | null, string][] = [
      ['service_fee', null, 'service_fee'],
      ['partial_charges', null, 'partial_charges'],
      ['plan_minutes', null, 'usage'],
      ['toll_free_inbound', null, 'usage'],
      ['toll_free', null, 'usage'],
      ['low_usage_minutes', null, 'usage'],
      ['usf', 'fee.usf', 'fees'],
      ['slrrf', null, 'fees'],
      ['fee.e911', null, 'fees'],
      ['surcharge', 'fee.e911', 'fees'],
      ['tax', 'tax.US-CO', 'taxes'],
      ['tax.US-CO', null, 'taxes'],
      ['sales_tax', 'tax.US-CO', 'taxes'],
      ['mystery', null, 'other'],
    ];
    for (const [type, code, group] of cases)
      assert.equal(lineGroupOf({ lineType: type, itemCode: code }), group);
  });

  test('sections in RUN-5 order, lines in invoice order within a section', () => {
    const sections = lineSections([
      line('tax', 5),
      line('service_fee', 100),
      line('rrf', 3),
      line('partial_charges', 20),
      line('standard_numbers', 40),
      line('service_fee', 50),
      line('international', 7),
    ]);
    assert.deepEqual(
      sections.map((s) => [s.group, s.amount]),
      [
        ['service_fee', 150],
        ['standard_numbers', 40],
        ['partial_charges', 20],
        ['usage', 7],
        ['fees', 3],
        ['taxes', 5],
      ],
    );
    assert.deepEqual(
      sections[0]!.lines.map((l) => l.amount),
      [100, 50],
    );
  });
});

describe('documentSummary', () => {
  const doc = usMonthlyInvoice(BILLING_ENTITIES.find((e) => e.code === 'US')!);

  test('fees and taxes come from the lines; the document adds up', () => {
    const s = documentSummary(doc);
    assert.equal(s.subtotal + s.fees + s.taxes, s.total);
    assert.ok(s.fees > 0 && s.taxes > 0);
    assert.equal(s.previousBalance - s.paymentsAndCredits + s.total, s.amountDue);
  });

  test('a subtotal that disagrees with the lines is refused', () => {
    assert.throws(() => documentSummary({ ...doc, subtotal: doc.subtotal + 1 }), {
      code: 'invoice_document_inconsistent',
    });
  });
});
