import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addDays, sum } from '../../../kernel/index.ts';
import { demoFeeSchedule, demoTaxTable } from './demo-rates.ts';
import { FEE_LINE_TYPES, feeStage } from './fees.ts';
import { type BillingAddress, type BillingContext, type DraftLine, type InvoiceStage } from './rates.ts';
import { TAX_LINE_TYPE, tableTaxProvider, taxStage } from './taxes.ts';

/**
 * Whole invoices with the demo rates: charges → regulatory fees → taxes, composed the way the bill
 * run composes them (each stage sees the lines before it; the total is the sum of the lines).
 */

const stages: InvoiceStage<BillingContext>[] = [
  feeStage(demoFeeSchedule),
  taxStage(tableTaxProvider(demoTaxTable)),
];

function compose(context: BillingContext, charges: DraftLine[]) {
  const lines: DraftLine[] = [...charges];
  for (const stage of stages) lines.push(...stage.lines(context, lines));
  return { lines, total: sum(lines.map((l) => l.amount)) };
}

const line = (
  lineType: string,
  description: string,
  quantity: number,
  unitPrice: number,
  amount: number,
) => ({
  lineType,
  description,
  itemCode: null,
  quantity,
  unitPrice,
  periodStart: null,
  periodEnd: null,
  prorateDays: null,
  periodDays: null,
  amount,
});

const brief = (lines: DraftLine[]) => lines.map((l) => [l.lineType, l.description, l.amount]);

test('scenario: Austin, Texas (USD), invoice of 1 August 2026', () => {
  const charges = [
    line('service_fee', 'Desk phone', 10, 2_499, 24_990), // 10 × 24.99
    line('standard_numbers', 'Local number', 3, 500, 1_500),
    line('partial_charges', 'Desk phone, 20–31 July', 2, 2_499, 1_773), // 2 × 24.99 × 11/31 = 17.7348
    line('contact_center', 'Contact-center seat', 1, 4_500, 4_500),
    line('rental', 'Conference phone rental', 1, 1_200, 1_200),
    line('outbound_overage', 'Outbound overage, 140 min', 140, 2, 280),
    line('international', 'International calls', 1, 327, 327),
  ];
  // Charges: 249.90 + 15.00 + 17.73 + 45.00 + 12.00 + 2.80 + 3.27 = 345.70
  // RRF and SLRRF base (phone service; not the rental, not international):
  //   249.90 + 15.00 + 17.73 + 45.00 + 2.80 = 330.43
  // RRF 3.55%:     330.43 × 0.0355 = 11.730265 → 11.73
  // SLRRF TX 1.8%: 330.43 × 0.018  = 5.94774   → 5.95
  // USF base adds international: 330.43 + 3.27 = 333.70; Q3 2026 factor 36.2% on the 64.9% safe harbour:
  //   333.70 × 0.649 × 0.362 = 78.3988106 → 78.40
  // Subtotal taxed (charges + fees): 345.70 + 11.73 + 5.95 + 78.40 = 441.78
  // Texas 6.25%: 441.78 × 0.0625 = 27.61125 → 27.61
  // Austin 2%:   441.78 × 0.02   = 8.8356   → 8.84
  // Total: 441.78 + 27.61 + 8.84 = 478.23
  const invoice = compose(
    {
      currency: 'USD',
      issueDate: '2026-08-01',
      address: { country: 'US', state: 'TX', city: 'Austin', postalCode: '78746' },
      taxStatus: 'taxable',
    },
    charges,
  );
  assert.deepEqual(brief(invoice.lines.slice(charges.length)), [
    ['rrf', 'Regulatory Recovery Fee (RRF) 3.55%', 1_173],
    ['slrrf', 'State and Local Regulatory Recovery Fee (SLRRF) Texas 1.8%', 595],
    ['usf', 'Federal Universal Service Fund (USF) recovery 36.2% × 64.9% interstate', 7_840],
    ['tax', 'Texas state sales tax 6.25%', 2_761],
    ['tax', 'Austin local sales tax 2%', 884],
  ]);
  assert.equal(invoice.total, 47_823);
});

test('scenario: Toronto, Ontario (USD), invoice of 1 October 2026', () => {
  const charges = [
    line('service_fee', 'Desk phone', 5, 2_999, 14_995),
    line('standard_numbers', 'Local number', 2, 500, 1_000),
    line('toll_free_inbound', 'Toll-free minutes', 1, 1_234, 1_234),
    line('international', 'International calls', 1, 789, 789),
  ];
  // Charges: 149.95 + 10.00 + 12.34 + 7.89 = 180.18
  // RRF (configured for Canada) on phone service: 149.95 + 10.00 + 12.34 = 172.29
  //   × 0.0355 = 6.116295 → 6.12
  // No SLRRF or USF outside the US.
  // Subtotal: 180.18 + 6.12 = 186.30; Ontario HST 13%: 24.219 → 24.22
  // Total: 186.30 + 24.22 = 210.52
  const invoice = compose(
    {
      currency: 'USD',
      issueDate: '2026-10-01',
      address: { country: 'CA', state: 'ON', city: 'Toronto', postalCode: 'M5V 1K2' },
      taxStatus: 'taxable',
    },
    charges,
  );
  assert.deepEqual(brief(invoice.lines.slice(charges.length)), [
    ['rrf', 'Regulatory Recovery Fee (RRF) 3.55%', 612],
    ['tax', 'Ontario HST 13%', 2_422],
  ]);
  assert.equal(invoice.total, 21_052);
});

test('scenario: Guadalajara, Jalisco (MXN), invoice of 1 August 2026', () => {
  const charges = [
    line('service_fee', 'Teléfono de escritorio', 6, 49_900, 299_400),
    line('standard_numbers', 'Número local', 2, 9_900, 19_800),
    line('partial_charges', 'Teléfono de escritorio, 10–31 julio', 1, 49_900, 33_803), // 499 × 21/31 = 338.0322
    line('outbound_overage', 'Minutos excedentes, 250 min', 250, 40, 10_000),
  ];
  // Charges: 2,994.00 + 198.00 + 338.03 + 100.00 = 3,630.03 MXN
  // No regulatory fees in Mexico.
  // IVA 16%: 3,630.03 × 0.16 = 580.8048 → 580.80
  // Total: 3,630.03 + 580.80 = 4,210.83
  const invoice = compose(
    {
      currency: 'MXN',
      issueDate: '2026-08-01',
      address: { country: 'MX', state: 'JAL', city: 'Guadalajara', postalCode: '44160' },
      taxStatus: 'taxable',
    },
    charges,
  );
  assert.deepEqual(brief(invoice.lines.slice(charges.length)), [['tax', 'IVA 16%', 58_080]]);
  assert.equal(invoice.total, 421_083);
});

const ADDRESSES: BillingAddress[] = [
  { country: 'US', state: 'TX', city: 'Austin', postalCode: '78746' },
  { country: 'US', state: 'TX', city: 'Houston', postalCode: '77029' },
  { country: 'US', state: 'NY', city: 'Brooklyn', postalCode: '11201' },
  { country: 'US', state: 'WA', city: 'Seattle', postalCode: '98101' },
  { country: 'US', state: 'CA', city: 'Sacramento', postalCode: '95811' },
  { country: 'US', state: 'OR', city: 'Portland', postalCode: '97201' },
  { country: 'CA', state: 'ON', city: 'Toronto', postalCode: 'M5V 1K2' },
  { country: 'CA', state: 'QC', city: 'Montréal', postalCode: 'H3B 4W5' },
  { country: 'CA', state: 'BC', city: 'Vancouver', postalCode: 'V6B 1A1' },
  { country: 'CA', state: 'NS', city: 'Halifax', postalCode: 'B3H 1A1' },
  { country: 'MX', state: 'JAL', city: 'Guadalajara', postalCode: '44160' },
];
const LINE_TYPES = [
  'service_fee',
  'standard_numbers',
  'partial_charges',
  'contact_center',
  'rental',
  'circuit',
  'one_time',
  'plan_minutes',
  'outbound_overage',
  'premium_domestic',
  'toll_free_inbound',
  'international',
];
const JURISDICTIONS = demoTaxTable.rules.map((r) => r.jurisdiction);

test('property: total = sum of lines; fees and taxes are never negative on non-negative charges', () => {
  const arbitraryInvoice = fc.record({
    charges: fc.array(
      fc.record({ type: fc.constantFrom(...LINE_TYPES), amount: fc.integer({ min: 0, max: 50_000_000 }) }),
      { maxLength: 12 },
    ),
    address: fc.constantFrom(...ADDRESSES),
    // any day from 1 July to 31 December 2026 (the demo has USF factors for both quarters)
    day: fc.integer({ min: 0, max: 183 }),
    taxStatus: fc.constantFrom('taxable' as const, 'exempt' as const),
    certificates: fc.array(
      fc.record({
        jurisdictions: fc.subarray(JURISDICTIONS),
        from: fc.integer({ min: -100, max: 200 }),
        days: fc.option(fc.integer({ min: 0, max: 200 })),
      }),
      { maxLength: 2 },
    ),
  });
  fc.assert(
    fc.property(arbitraryInvoice, (inv) => {
      const charges = inv.charges.map((c) => line(c.type, c.type, 1, c.amount, c.amount));
      const issueDate = addDays('2026-07-01', inv.day);
      const exemptionCertificates = inv.certificates.map((c, i) => ({
        id: `EX-${i}`,
        jurisdictions: c.jurisdictions,
        validFrom: addDays('2026-07-01', c.from),
        validTo: c.days === null ? null : addDays('2026-07-01', c.from + c.days),
      }));
      const context: BillingContext = {
        currency: inv.address.country === 'MX' ? 'MXN' : 'USD',
        issueDate,
        address: inv.address,
        taxStatus: inv.taxStatus,
        exemptionCertificates,
      };
      const { lines, total } = compose(context, charges);
      const of = (pred: (l: DraftLine) => boolean) => sum(lines.filter(pred).map((l) => l.amount));
      const chargeTotal = of((l) => !FEE_LINE_TYPES.includes(l.lineType) && l.lineType !== TAX_LINE_TYPE);
      const fees = of((l) => FEE_LINE_TYPES.includes(l.lineType));
      const taxes = of((l) => l.lineType === TAX_LINE_TYPE);

      assert.equal(total, sum(lines.map((l) => l.amount)));
      assert.equal(total, chargeTotal + fees + taxes);
      assert.equal(chargeTotal, sum(charges.map((c) => c.amount)));
      for (const l of lines.slice(charges.length)) {
        assert.ok(Number.isSafeInteger(l.amount) && l.amount > 0, `${l.description}: ${l.amount}`);
        assert.equal(l.quantity * l.unitPrice, l.amount);
        // every rate is at most 100% of what it is computed on
        assert.ok(l.amount <= chargeTotal + fees, l.description);
      }
      if (context.address.country === 'MX') assert.equal(fees, 0);
      if (inv.taxStatus === 'exempt' && exemptionCertificates.length === 0) assert.equal(taxes, 0);
      // a certificate valid on the date removes its jurisdiction's line
      for (const c of exemptionCertificates) {
        if (c.validFrom > issueDate || (c.validTo !== null && c.validTo < issueDate)) continue;
        for (const j of c.jurisdictions) assert.ok(!lines.some((l) => l.itemCode === `tax.${j}`), j);
      }
    }),
    { numRuns: 500 },
  );
});
