import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoTaxTable } from './demo-rates.ts';
import {
  type BillingAddress,
  type BillingContext,
  type DraftLine,
  type ExemptionCertificate,
  computedLine,
} from './rates.ts';
import {
  type TaxProvider,
  type TaxRequest,
  type TaxTable,
  quoteFromTable,
  quotedTaxStage,
  tableTaxProvider,
  taxRequest,
  taxStage,
  validateTaxTable,
} from './taxes.ts';

const charge = (lineType: string, amount: number): DraftLine =>
  computedLine(lineType, `item.${lineType}`, lineType, amount);

const AUSTIN: BillingAddress = { country: 'US', state: 'TX', city: 'Austin', postalCode: '78746' };
const HOUSTON: BillingAddress = { country: 'US', state: 'TX', city: 'Houston', postalCode: '77029' };
const DALLAS: BillingAddress = { country: 'US', state: 'TX', city: 'Dallas', postalCode: '75201' };
const TORONTO: BillingAddress = { country: 'CA', state: 'ON', city: 'Toronto', postalCode: 'M5V 1K2' };
const MONTREAL: BillingAddress = { country: 'CA', state: 'QC', city: 'Montréal', postalCode: 'H3B 4W5' };
const VANCOUVER: BillingAddress = { country: 'CA', state: 'BC', city: 'Vancouver', postalCode: 'V6B 1A1' };
const GUADALAJARA: BillingAddress = { country: 'MX', state: 'JAL', city: 'Guadalajara', postalCode: '44160' };

const context = (address: BillingAddress, over: Partial<BillingContext> = {}): BillingContext => ({
  currency: address.country === 'MX' ? 'MXN' : 'USD',
  issueDate: '2026-08-01',
  address,
  taxStatus: 'taxable',
  ...over,
});

const stage = taxStage<BillingContext>(tableTaxProvider(demoTaxTable));
const taxes = (ctx: BillingContext, lines: DraftLine[]) =>
  stage.lines(ctx, lines).map((l) => [l.itemCode, l.description, l.amount]);

// 100.00 of service + a 3.55 regulatory fee: the taxed subtotal is 103.55 (fees are taxable).
const INVOICE = [charge('service_fee', 10_000), charge('rrf', 355)];

test('tax on the subtotal, one line per jurisdiction of the billing address', () => {
  const table: [string, BillingAddress, string, [string, string, number][]][] = [
    [
      'Austin: Texas state + Austin local, two lines',
      AUSTIN,
      '2026-08-01',
      [
        ['tax.US-TX', 'Texas state sales tax 6.25%', 647], // 103.55 × 6.25% = 6.471875
        ['tax.US-TX-AUSTIN', 'Austin local sales tax 2%', 207], // 2.071
      ],
    ],
    [
      'Houston: local tax found by postal-code prefix',
      HOUSTON,
      '2026-08-01',
      [
        ['tax.US-TX', 'Texas state sales tax 6.25%', 647],
        ['tax.US-TX-HOUSTON', 'Houston local sales tax 2%', 207],
      ],
    ],
    [
      'Dallas: no local tax on record, state only',
      DALLAS,
      '2026-08-01',
      [['tax.US-TX', 'Texas state sales tax 6.25%', 647]],
    ],
    ['Ontario: HST, one line', TORONTO, '2026-08-01', [['tax.CA-ON-HST', 'Ontario HST 13%', 1_346]]], // 13.4615
    [
      'Quebec: GST and QST, two lines on the same base',
      MONTREAL,
      '2026-08-01',
      [
        ['tax.CA-GST', 'GST 5%', 518], // 5.1775
        ['tax.CA-QC-QST', 'Quebec QST 9.975%', 1_033], // 10.3291125
      ],
    ],
    [
      'British Columbia: GST and PST',
      VANCOUVER,
      '2026-08-01',
      [
        ['tax.CA-GST', 'GST 5%', 518],
        ['tax.CA-BC-PST', 'British Columbia PST 7%', 725], // 7.2485
      ],
    ],
    ['Jalisco: IVA', GUADALAJARA, '2026-08-01', [['tax.MX-IVA', 'IVA 16%', 1_657]]], // 16.568
    [
      'Brooklyn: New York state + New York City by postal prefix',
      { country: 'US', state: 'NY', city: 'Brooklyn', postalCode: '11201' },
      '2026-08-01',
      [
        ['tax.US-NY', 'New York state sales tax 4%', 414], // 4.142
        ['tax.US-NY-NYC', 'New York City local sales tax 4.5%', 466], // 4.65975
      ],
    ],
    [
      'Buffalo: New York state only',
      { country: 'US', state: 'NY', city: 'Buffalo', postalCode: '14202' },
      '2026-08-01',
      [['tax.US-NY', 'New York state sales tax 4%', 414]],
    ],
    [
      'Seattle (city matched in any case): rate raised on 1 April 2025',
      { country: 'US', state: 'WA', city: 'SEATTLE', postalCode: '98101' },
      '2026-08-01',
      [
        ['tax.US-WA', 'Washington state sales tax 6.5%', 673], // 6.73075
        ['tax.US-WA-SEATTLE', 'Seattle local sales tax 3.85%', 399], // 3.986675
      ],
    ],
    [
      'Seattle before the raise',
      { country: 'US', state: 'WA', city: 'Seattle', postalCode: '98101' },
      '2025-03-01',
      [
        ['tax.US-WA', 'Washington state sales tax 6.5%', 673],
        ['tax.US-WA-SEATTLE', 'Seattle local sales tax 3.75%', 388], // 3.883125
      ],
    ],
    [
      'Nova Scotia: HST 14% from 1 April 2025',
      { country: 'CA', state: 'NS' },
      '2026-08-01',
      [['tax.CA-NS-HST', 'Nova Scotia HST 14%', 1_450]], // 14.497
    ],
    [
      'Nova Scotia: HST 15% before',
      { country: 'CA', state: 'NS' },
      '2025-03-01',
      [['tax.CA-NS-HST', 'Nova Scotia HST 15%', 1_553]], // 15.5325
    ],
    ['Oregon: no tax on record', { country: 'US', state: 'OR', postalCode: '97201' }, '2026-08-01', []],
    ['a country without tables', { country: 'BR', state: 'SP' }, '2026-08-01', []],
  ];
  for (const [name, address, issueDate, expected] of table) {
    assert.deepEqual(taxes(context(address, { issueDate }), INVOICE), expected, name);
  }
});

test('each tax line is rounded on its own, which can differ from rounding the combined rate', () => {
  // Quebec, subtotal 10.10: GST 0.505 → 0.51 and QST 1.007475 → 1.01, together 1.52;
  // the combined 14.975% would be 1.512475 → 1.51.
  assert.deepEqual(taxes(context(MONTREAL), [charge('service_fee', 1_010)]), [
    ['tax.CA-GST', 'GST 5%', 51],
    ['tax.CA-QC-QST', 'Quebec QST 9.975%', 101],
  ]);
  // Austin, subtotal 50.13: state 3.133125 → 3.13 and local 1.0026 → 1.00, together 4.13;
  // the combined 8.25% would be 4.135725 → 4.14.
  assert.deepEqual(taxes(context(AUSTIN), [charge('service_fee', 5_013)]), [
    ['tax.US-TX', 'Texas state sales tax 6.25%', 313],
    ['tax.US-TX-AUSTIN', 'Austin local sales tax 2%', 100],
  ]);
  // A line that rounds to nothing is left out: 0.20 × 2% = 0.004.
  assert.deepEqual(taxes(context(AUSTIN), [charge('service_fee', 20)]), [
    ['tax.US-TX', 'Texas state sales tax 6.25%', 1], // 0.0125 → 0.01
  ]);
});

test('taxes are computed on charges and fees; a jurisdiction may exclude a line type', () => {
  const lines = [charge('service_fee', 10_000), charge('rental', 2_000), charge('usf', 2_349)];
  const table: TaxTable = {
    rules: [
      {
        jurisdiction: 'XX-A',
        name: 'All lines',
        country: 'US',
        rates: [{ from: '2020-01-01', ppm: 100_000 }],
      },
      {
        jurisdiction: 'XX-B',
        name: 'No tax on USF',
        country: 'US',
        rates: [{ from: '2020-01-01', ppm: 100_000 }],
        excludeLineTypes: ['usf'],
      },
    ],
  };
  const quoted = quoteFromTable(table, taxRequest(context(DALLAS), lines));
  assert.deepEqual(
    quoted.map((t) => [t.jurisdiction, t.taxableAmount, t.amount, t.ratePpm]),
    [
      ['XX-A', 14_349, 1_435], // 143.49 × 10% = 14.349
      ['XX-B', 12_000, 1_200],
    ].map((r) => [...r, 100_000]),
  );
});

const cert = (id: string, jurisdictions: string[], validFrom: string, validTo: string | null) =>
  ({ id, jurisdictions, validFrom, validTo }) satisfies ExemptionCertificate;

test('an exemption certificate removes only the jurisdictions it covers, only while valid', () => {
  const texasOnly = cert('EX-2026-014', ['US-TX'], '2026-03-01', '2026-08-31');
  const both = ['tax.US-TX', 'tax.US-TX-AUSTIN'];
  const table: [string, string[]][] = [
    ['2026-02-01', both], // not valid yet
    ['2026-03-01', ['tax.US-TX-AUSTIN']], // first day of validity
    ['2026-08-01', ['tax.US-TX-AUSTIN']],
    ['2026-08-31', ['tax.US-TX-AUSTIN']], // last day, inclusive
    ['2026-09-01', both], // expired
  ];
  for (const [issueDate, codes] of table) {
    for (const taxStatus of ['taxable', 'exempt'] as const) {
      const ctx = context(AUSTIN, { issueDate, taxStatus, exemptionCertificates: [texasOnly] });
      assert.deepEqual(
        stage.lines(ctx, INVOICE).map((l) => l.itemCode),
        codes,
        `${issueDate} ${taxStatus}`,
      );
    }
  }
  // Quebec: a QST certificate leaves the GST; an open-ended one covering both leaves nothing.
  const qst = [cert('QC-1', ['CA-QC-QST'], '2026-01-01', null)];
  assert.deepEqual(
    stage.lines(context(MONTREAL, { exemptionCertificates: qst }), INVOICE).map((l) => l.itemCode),
    ['tax.CA-GST'],
  );
  const gstQst = [cert('QC-2', ['CA-GST', 'CA-QC-QST'], '2026-01-01', null)];
  assert.deepEqual(stage.lines(context(MONTREAL, { exemptionCertificates: gstQst }), INVOICE), []);
});

test('an exempt account without certificates gets no tax lines at all (and no engine call)', () => {
  let calls = 0;
  const counting = tableTaxProvider(demoTaxTable);
  const watched = taxStage<BillingContext>({
    ...counting,
    quoteNow: (r) => {
      calls++;
      return counting.quoteNow(r);
    },
  });
  for (const address of [AUSTIN, TORONTO, MONTREAL, GUADALAJARA]) {
    assert.deepEqual(watched.lines(context(address, { taxStatus: 'exempt' }), INVOICE), []);
    assert.deepEqual(
      watched.lines(context(address, { taxStatus: 'exempt', exemptionCertificates: [] }), INVOICE),
      [],
    );
  }
  assert.equal(calls, 0);
  assert.deepEqual(
    quoteFromTable(demoTaxTable, taxRequest(context(AUSTIN, { taxStatus: 'exempt' }), INVOICE)),
    [],
  );
});

test('the stage taxes the lines before it, never earlier tax lines, and can be told what is taxable', () => {
  const lines = [
    ...INVOICE,
    computedLine('tax', 'tax.US-TX', 'old', 999),
    charge('previous_balance', 50_000),
  ];
  const onlyCharges = taxStage<BillingContext>(tableTaxProvider(demoTaxTable), {
    taxable: (l) => !['tax', 'previous_balance'].includes(l.lineType),
  });
  assert.deepEqual(
    onlyCharges.lines(context(TORONTO), lines).map((l) => [l.lineType, l.quantity, l.unitPrice, l.amount]),
    [['tax', 1, 1_346, 1_346]],
  );
});

test('an external engine: the request carries everything it needs, and its quote becomes a stage', async () => {
  const requests: TaxRequest[] = [];
  const engine: TaxProvider = {
    name: 'external',
    quote: async (request) => {
      requests.push(request);
      return [
        {
          jurisdiction: 'US-TX',
          description: 'TX STATE TAX',
          ratePpm: 62_500,
          taxableAmount: 10_355,
          amount: 647,
        },
        {
          jurisdiction: 'US-TX-SPD',
          description: 'TX SPECIAL DISTRICT',
          ratePpm: null,
          taxableAmount: 0,
          amount: 0,
        },
      ];
    },
  };
  const certs = [cert('EX-1', ['US-TX-AUSTIN'], '2026-01-01', null)];
  const ctx = context(AUSTIN, { exemptionCertificates: certs });
  const quoted = await quotedTaxStage<BillingContext>(engine, ctx, INVOICE);
  assert.deepEqual(requests, [
    {
      currency: 'USD',
      issueDate: '2026-08-01',
      address: AUSTIN,
      taxStatus: 'taxable',
      exemptionCertificates: certs,
      lines: [
        {
          ref: 0,
          lineType: 'service_fee',
          itemCode: 'item.service_fee',
          description: 'service_fee',
          amount: 10_000,
        },
        { ref: 1, lineType: 'rrf', itemCode: 'item.rrf', description: 'rrf', amount: 355 },
      ],
    },
  ]);
  // zero-amount answers are dropped
  assert.deepEqual(
    quoted.lines(ctx, INVOICE).map((l) => [l.lineType, l.itemCode, l.description, l.amount]),
    [['tax', 'tax.US-TX', 'TX STATE TAX', 647]],
  );
  // a quote is only valid for the invoice it was computed for
  assert.throws(() => quoted.lines(ctx, [...INVOICE, charge('one_time', 1)]), { code: 'stale_tax_quote' });
  assert.throws(() => quoted.lines({ ...ctx, issueDate: '2026-09-01' }, INVOICE), {
    code: 'stale_tax_quote',
  });
  // the built-in tables behind the same interface
  assert.deepEqual(
    (await tableTaxProvider(demoTaxTable).quote(taxRequest(ctx, INVOICE))).map((t) => t.jurisdiction),
    ['US-TX'],
  );
  // exempt without certificates: the engine is never asked
  const exempt = await quotedTaxStage<BillingContext>(
    engine,
    context(AUSTIN, { taxStatus: 'exempt' }),
    INVOICE,
  );
  assert.deepEqual(exempt.lines(context(AUSTIN, { taxStatus: 'exempt' }), INVOICE), []);
  assert.equal(requests.length, 1);
});

test('tax tables are checked when loaded', () => {
  assert.doesNotThrow(() => validateTaxTable(demoTaxTable));
  const rule = { jurisdiction: 'US-TX', name: 'x', country: 'US', rates: [{ from: '2020-01-01', ppm: 1 }] };
  assert.throws(() => tableTaxProvider({ rules: [rule, rule] }), { code: 'duplicate_jurisdiction' });
  assert.throws(
    () => tableTaxProvider({ rules: [{ ...rule, rates: [{ from: '2020-01-01', ppm: 2_000_000 }] }] }),
    {
      code: 'invalid_rate',
    },
  );
});
