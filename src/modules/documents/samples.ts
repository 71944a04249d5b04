import { type CalendarDate, LINE_TEXT, divRound, prorate, sum } from '../../kernel/index.ts';
import {
  type DocumentEntity,
  type DocumentRemittance,
  type InvoiceDocument,
  type InvoiceDocumentLine,
  isFeeOrTaxLine,
} from './view.ts';

/**
 * Sample invoice documents for the sample-rendering script, the benchmark and the tests. The
 * entities come from the caller (the reference data), so the samples always show the real
 * remittance details; the amounts are computed here with the kernel's money functions, so every
 * sample adds up to the cent.
 */

/** The part of a billing entity a document needs (structurally the accounts module's input). */
export interface EntityData {
  code: string;
  country: string;
  billingEmail: string;
  legalNames: { validFrom: CalendarDate; legalName: string }[];
  remittance: DocumentRemittance;
}

/**
 * Postal addresses printed under the entity name. Billing entities carry no address yet; these
 * are the street addresses of their courier remittance desks until they do.
 */
export const SAMPLE_ENTITY_ADDRESSES: Record<string, string[]> = {
  US: ['5505 Central Ave, Suite 100', 'Denver, CO 80216', 'United States'],
  CA: ['100 King St W, Suite 5600', 'Toronto, ON M5X 1C9', 'Canada'],
  MX: ['Paseo de la Reforma 505, Piso 31', 'Cuauhtémoc, 06500 Ciudad de México, CDMX', 'México'],
};

/** ACC-2: the entity as an invoice dated `on` shows it, with the legal name valid on that date. */
export function documentEntity(
  entity: EntityData,
  on: CalendarDate,
  addressLines?: string[],
): DocumentEntity {
  let legalName = entity.legalNames[0]?.legalName ?? entity.code;
  for (const n of entity.legalNames) if (n.validFrom <= on) legalName = n.legalName;
  return {
    legalName,
    country: entity.country,
    addressLines: addressLines ?? SAMPLE_ENTITY_ADDRESSES[entity.code] ?? [],
    billingEmail: entity.billingEmail,
    remittance: entity.remittance,
  };
}

// ---- line builders ----------------------------------------------------------------------------

type Line = InvoiceDocumentLine;

const charge = (
  lineType: string,
  description: string,
  quantity: number,
  unitPrice: number,
  periodStart: CalendarDate | null = null,
  periodEnd: CalendarDate | null = null,
): Line => ({
  lineType,
  itemCode: null,
  description,
  quantity,
  unitPrice,
  periodStart,
  periodEnd,
  prorateDays: null,
  periodDays: null,
  amount: unitPrice * quantity,
});

/** RUN-3: `quantity` units added on `from`, charged `days` of `periodDays` up to `to`. */
const partial = (
  description: string,
  quantity: number,
  unitPrice: number,
  from: CalendarDate,
  to: CalendarDate,
  days: number,
  periodDays: number,
): Line => ({
  lineType: 'partial_charges',
  itemCode: null,
  description,
  quantity,
  unitPrice,
  periodStart: from,
  periodEnd: to,
  prorateDays: days,
  periodDays,
  amount: prorate(unitPrice, quantity, days, periodDays, 'half-up'),
});

/** Billed seconds at a per-minute rate in millionths, rounded once for the line. */
const usage = (
  lineType: string,
  description: string,
  seconds: number,
  ratePerMinute: number,
  periodStart: CalendarDate,
  periodEnd: CalendarDate,
): Line => ({
  lineType,
  itemCode: null,
  description,
  quantity: seconds,
  unitPrice: 0,
  ratePerMinute,
  periodStart,
  periodEnd,
  prorateDays: null,
  periodDays: null,
  // the samples' currencies all have two decimals
  amount: divRound(ratePerMinute * seconds * 100, 60 * 1_000_000, 'half-up'),
});

/**
 * A fee or tax line: `ppm` millionths of `base`, rounded once; its description written as the fee
 * and tax stages write it.
 */
const computed = (lineType: string, itemCode: string, name: string, base: number, ppm: number) => {
  const amount = divRound(base * ppm, 1_000_000, 'half-up');
  return { ...charge(lineType, LINE_TEXT.atRate(name, ppm), 1, amount), itemCode };
};

/** The USF line: its factor on the interstate safe-harbour portion (36.2% × 64.9% = 23.4938%). */
const usfLine = (base: number) => ({
  ...charge(
    'usf',
    LINE_TEXT.usf('Federal USF recovery', 362_000, 649_000),
    1,
    divRound(base * 234_938, 1_000_000, 'half-up'),
  ),
  itemCode: 'fee.usf',
});

const chargesOf = (lines: readonly Line[]) =>
  sum(lines.filter((l) => !isFeeOrTaxLine(l)).map((l) => l.amount));

/** Completes a document's totals from its lines and balances. */
export function withTotals(doc: Omit<InvoiceDocument, 'subtotal' | 'total' | 'amountDue'>): InvoiceDocument {
  const total = sum(doc.lines.map((l) => l.amount));
  return {
    ...doc,
    subtotal: chargesOf(doc.lines),
    total,
    amountDue: doc.previousBalance - doc.paymentsAndCredits + total,
  };
}

// ---- the samples ------------------------------------------------------------------------------

/** A US monthly invoice in English: charges, partial charges, usage, RRF/SLRRF/USF and taxes. */
export function usMonthlyInvoice(entity: EntityData): InvoiceDocument {
  const charges: Line[] = [
    charge('service_fee', 'Desk phone service', 7, 2495, '2026-09-01', '2026-09-30'),
    charge('service_fee', 'Softphone service', 3, 1995, '2026-09-01', '2026-09-30'),
    charge('standard_numbers', 'Local number', 4, 400, '2026-09-01', '2026-09-30'),
    charge('standard_numbers', 'Toll-free number', 1, 600, '2026-09-01', '2026-09-30'),
    partial('Desk phone service', 2, 2495, '2026-08-20', '2026-08-31', 11, 31),
    partial('Local number', 1, 400, '2026-08-20', '2026-08-31', 11, 31),
    charge('contact_center', 'Contact center seat', 2, 4500, '2026-09-01', '2026-09-30'),
    usage('outbound_overage', 'Outbound overage minutes', 75_000, 20_000, '2026-08-01', '2026-08-31'),
    usage(
      'international',
      'International minutes — Mexico (mobile)',
      11_070,
      85_000,
      '2026-08-01',
      '2026-08-31',
    ),
  ];
  const base = chargesOf(charges);
  const fees: Line[] = [
    computed('rrf', 'fee.rrf', 'Regulatory Recovery Fee (RRF)', base, 25_000),
    computed('slrrf', 'fee.slrrf', 'State and Local Regulatory Recovery Fee — Colorado', base, 12_000),
    usfLine(base),
  ];
  const taxBase = base + sum(fees.map((l) => l.amount));
  const taxes: Line[] = [
    computed('tax', 'tax.US-CO', 'Colorado state sales tax', taxBase, 29_000),
    computed('tax', 'tax.US-CO-BOULDER', 'Boulder County sales tax', taxBase, 9_850),
  ];
  return withTotals({
    entity: documentEntity(entity, '2026-09-01'),
    account: {
      number: '1004829',
      companyName: 'Acme Dental Group, LLC',
      addressLines: ['1200 Pearl St, Suite 300', 'Boulder, CO 80302', 'United States'],
      poNumber: 'PO-2026-0418',
    },
    invoice: {
      number: 'IN10000004172',
      kind: 'monthly',
      issueDate: '2026-09-01',
      sentOn: '2026-09-02',
      dueDate: '2026-09-17',
      billingMonth: '2026-09',
      currency: 'USD',
      locale: 'en-US',
    },
    lines: [...charges, ...fees, ...taxes],
    previousBalance: 61_238,
    paymentsAndCredits: 61_238,
  });
}

/** A Mexican monthly invoice in Spanish, in MXN, payable by SPEI with the invoice number. */
export function mexicanMonthlyInvoice(entity: EntityData): InvoiceDocument {
  const charges: Line[] = [
    charge('service_fee', 'Servicio de teléfono de escritorio', 7, 44_900, '2026-09-01', '2026-09-30'),
    charge('service_fee', 'Servicio de softphone', 2, 35_900, '2026-09-01', '2026-09-30'),
    charge('standard_numbers', 'Número local', 4, 6_900, '2026-09-01', '2026-09-30'),
    partial('Servicio de teléfono de escritorio', 2, 44_900, '2026-08-20', '2026-08-31', 11, 31),
    partial('Número local', 1, 6_900, '2026-08-20', '2026-08-31', 11, 31),
    charge('contact_center', 'Asiento de centro de contacto', 2, 81_900, '2026-09-01', '2026-09-30'),
    usage(
      'international',
      'Minutos internacionales — Estados Unidos',
      25_380,
      350_000,
      '2026-08-01',
      '2026-08-31',
    ),
  ];
  const base = chargesOf(charges);
  const taxes = [computed('tax', 'tax.MX-IVA', 'IVA', base, 160_000)];
  return withTotals({
    entity: documentEntity(entity, '2026-09-01'),
    account: {
      number: '6001187',
      companyName: 'Consultoría Álvarez y Asociados, S.C.',
      addressLines: [
        'Av. Insurgentes Sur 1602, Piso 4',
        'Crédito Constructor, Benito Juárez',
        '03940 Ciudad de México, CDMX',
        'México',
      ],
      poNumber: null,
    },
    invoice: {
      number: 'IN60001234567',
      kind: 'monthly',
      issueDate: '2026-09-01',
      sentOn: '2026-09-03',
      dueDate: '2026-09-18',
      billingMonth: '2026-09',
      currency: 'MXN',
      locale: 'es-MX',
    },
    lines: [...charges, ...taxes],
    previousBalance: 523_000,
    paymentsAndCredits: 300_000,
  });
}

/** A Brazilian customer's invoice in Portuguese (pt-BR formats, billed in USD by the US entity). */
export function brazilianMonthlyInvoice(entity: EntityData): InvoiceDocument {
  const lines: Line[] = [
    charge('service_fee', 'Serviço de softphone', 12, 1995, '2026-09-01', '2026-09-30'),
    charge('service_fee', 'Linha executiva (por ramal)', 3, 1295, '2026-09-01', '2026-09-30'),
    charge(
      'standard_numbers',
      'Número internacional — São Paulo (+55 11)',
      2,
      1200,
      '2026-09-01',
      '2026-09-30',
    ),
    partial('Serviço de softphone', 4, 1995, '2026-08-15', '2026-08-31', 16, 31),
    charge('contact_center', 'Posição de central de atendimento', 3, 4500, '2026-09-01', '2026-09-30'),
    usage('plan_minutes', 'Minutos do plano', 240_000, 0, '2026-08-01', '2026-08-31'),
    usage(
      'international',
      'Minutos internacionais — Brasil (fixo)',
      46_200,
      45_000,
      '2026-08-01',
      '2026-08-31',
    ),
  ];
  return withTotals({
    entity: documentEntity(entity, '2026-09-01'),
    account: {
      number: '1007731',
      companyName: 'Souza & Associados Consultoria Ltda.',
      addressLines: ['Av. Paulista, 1578 – Bela Vista', 'São Paulo – SP, 01310-200', 'Brasil'],
      poNumber: 'PC-7781',
    },
    invoice: {
      number: 'IN10000004190',
      kind: 'monthly',
      issueDate: '2026-09-01',
      sentOn: '2026-09-02',
      dueDate: '2026-09-17',
      billingMonth: '2026-09',
      currency: 'USD',
      locale: 'pt-BR',
    },
    lines,
    previousBalance: 48_870,
    paymentsAndCredits: 60_000,
  });
}

/** Deterministic pseudo-random integers (so samples and benchmarks vary but never change). */
function sequence(seed: number): (min: number, max: number) => number {
  let state = (seed * 2_654_435_761 + 1) >>> 0;
  return (min, max) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return min + (state % (max - min + 1));
  };
}

const COMPANIES = [
  'Pearl Street Dental',
  'Mountain View Realty',
  'Front Range Logistics',
  'Aspen Family Clinic',
  'Cherry Creek Law Office',
  'Boulder Bike Works',
];

/** A typical 10-line US monthly invoice; `i` varies the account, quantities and usage. */
export function typicalInvoice(entity: EntityData, i: number): InvoiceDocument {
  const next = sequence(i);
  const charges: Line[] = [
    charge('service_fee', 'Desk phone service', next(2, 40), 2495, '2026-09-01', '2026-09-30'),
    charge('service_fee', 'Softphone service', next(1, 15), 1995, '2026-09-01', '2026-09-30'),
    charge('standard_numbers', 'Local number', next(1, 30), 400, '2026-09-01', '2026-09-30'),
    charge('standard_numbers', 'Toll-free number', next(1, 3), 600, '2026-09-01', '2026-09-30'),
    partial('Desk phone service', next(1, 4), 2495, '2026-08-20', '2026-08-31', 11, 31),
    usage(
      'outbound_overage',
      'Outbound overage minutes',
      next(0, 200_000),
      20_000,
      '2026-08-01',
      '2026-08-31',
    ),
    usage('international', 'International minutes', next(0, 30_000), 85_000, '2026-08-01', '2026-08-31'),
  ];
  const base = chargesOf(charges);
  const fees = [computed('rrf', 'fee.rrf', 'Regulatory Recovery Fee (RRF)', base, 25_000), usfLine(base)];
  const taxBase = base + sum(fees.map((l) => l.amount));
  const taxes = [computed('tax', 'tax.US-CO', 'Colorado state sales tax', taxBase, 29_000)];
  const previous = next(0, 90_000);
  return withTotals({
    entity: documentEntity(entity, '2026-09-01'),
    account: {
      number: String(1_000_000 + i),
      companyName: `${COMPANIES[i % COMPANIES.length]} #${i}`,
      addressLines: [`${100 + (i % 900)} Pearl St`, 'Boulder, CO 80302', 'United States'],
      poNumber: i % 3 === 0 ? `PO-${i}` : null,
    },
    invoice: {
      number: `IN1${String(i).padStart(10, '0')}`,
      kind: 'monthly',
      issueDate: '2026-09-01',
      sentOn: '2026-09-02',
      dueDate: '2026-09-17',
      billingMonth: '2026-09',
      currency: 'USD',
      locale: 'en-US',
    },
    lines: [...charges, ...fees, ...taxes],
    previousBalance: previous,
    paymentsAndCredits: i % 5 === 0 ? 0 : previous,
  });
}

/** A Canadian invoice of `lineCount` lines (a large account with one line per extension). */
export function longInvoice(entity: EntityData, lineCount: number): InvoiceDocument {
  const lines: Line[] = [];
  const tax = 1;
  const partials = Math.min(5, Math.max(0, lineCount - tax - 2));
  const numbers = Math.floor((lineCount - tax - partials) / 3);
  const devices = lineCount - tax - partials - numbers;
  for (let k = 0; k < devices; k++) {
    lines.push(
      charge('service_fee', `Desk phone service — ext. ${2001 + k}`, 1, 2495, '2026-09-01', '2026-09-30'),
    );
  }
  for (let k = 0; k < numbers; k++) {
    lines.push(charge('standard_numbers', `Local number +1 416 555 ${String(1000 + k)}`, 1, 400));
  }
  for (let k = 0; k < partials; k++) {
    lines.push(
      partial(
        `Desk phone service — ext. ${3001 + k}`,
        1,
        2495,
        `2026-08-${20 + k}`,
        '2026-08-31',
        11 - k,
        31,
      ),
    );
  }
  lines.push(computed('tax', 'tax.CA-ON-HST', 'Ontario HST', chargesOf(lines), 130_000));
  return withTotals({
    entity: documentEntity(entity, '2026-09-01'),
    account: {
      number: '2000417',
      companyName: 'Lakeshore Associés Inc.',
      addressLines: ['200 Bay St, Floor 12', 'Toronto, ON M5J 2J2', 'Canada'],
      poNumber: 'PO-77120',
    },
    invoice: {
      number: 'IN20000000417',
      kind: 'monthly',
      issueDate: '2026-09-01',
      sentOn: '2026-09-01',
      dueDate: '2026-09-16',
      billingMonth: '2026-09',
      currency: 'USD',
      locale: 'en-CA',
    },
    lines,
    previousBalance: 0,
    paymentsAndCredits: 0,
  });
}
