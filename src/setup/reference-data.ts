import type { Ctx } from '../context.ts';
import {
  type BillingEntityInput,
  createBillingEntity,
  listBillingEntities,
} from '../modules/accounts/index.ts';
import { type CatalogItemInput, createCatalogItem, listCatalogItems } from '../modules/catalog/index.ts';

/**
 * ACC-2: the three billing entities, with their effective-dated legal names, remittance details
 * and rules. Data, not code: staff edit them through the API.
 */
export const BILLING_ENTITIES: BillingEntityInput[] = [
  {
    code: 'US',
    country: 'US',
    currency: 'USD',
    timeZone: 'America/Denver',
    locale: 'en-US',
    billingEmail: 'billing@tollbooth.example',
    invoiceNumberBase: 10_000_000_000,
    legalNames: [{ validFrom: '2015-01-01', legalName: 'Jive Communications Inc.' }],
    remittance: {
      cheque: {
        payableTo: 'Jive Communications Inc.',
        lockbox: ['Jive Communications Inc.', 'PO Box 912345', 'Denver, CO 80291-2345'],
        overnight: [
          'Lockbox Services 912345',
          'Jive Communications Inc.',
          '5505 Central Ave, Suite 100',
          'Denver, CO 80216',
        ],
      },
      ach: {
        bank: 'First Mountain Bank',
        accountName: 'Jive Communications Inc.',
        accountNumber: '4470012398',
        routingNumber: '102000021',
      },
      bankTransfer: {
        bank: 'First Mountain Bank',
        accountName: 'Jive Communications Inc.',
        accountNumber: '4470012398',
        swift: 'FMBKUS44',
      },
    },
    rules: {
      proration: 'after-start',
      dueDays: 15,
      cancellationNotice: { kind: 'days-before-month-end', days: 10 },
    },
  },
  {
    code: 'CA',
    country: 'CA',
    currency: 'USD',
    timeZone: 'America/Toronto',
    locale: 'en-CA',
    billingEmail: 'billing.ca@tollbooth.example',
    invoiceNumberBase: 20_000_000_000,
    legalNames: [{ validFrom: '2015-01-01', legalName: 'LogMeIn Technologies Canada Ltd.' }],
    remittance: {
      cheque: {
        payableTo: 'LogMeIn Technologies Canada Ltd.',
        lockbox: ['LogMeIn Technologies Canada Ltd.', 'PO Box 4420, Station A', 'Toronto, ON M5W 0J2'],
        overnight: [
          'Lockbox 4420',
          'LogMeIn Technologies Canada Ltd.',
          '100 King St W, Suite 5600',
          'Toronto, ON M5X 1C9',
        ],
      },
      bankTransfer: {
        bank: 'Dominion Commerce Bank',
        accountName: 'LogMeIn Technologies Canada Ltd.',
        accountNumber: '0041-1029384',
        swift: 'DCBKCATT',
      },
    },
    rules: {
      proration: 'after-start',
      dueDays: 15,
      cancellationNotice: { kind: 'days-before-month-end', days: 10 },
    },
  },
  {
    code: 'MX',
    country: 'MX',
    currency: 'MXN',
    timeZone: 'America/Mexico_City',
    locale: 'es-MX',
    billingEmail: 'facturacion@tollbooth.example',
    invoiceNumberBase: 60_000_000_000,
    legalNames: [
      { validFrom: '2015-01-01', legalName: 'LogMeIn Communications Mexico S. de R.L. de C.V.' },
      { validFrom: '2025-07-01', legalName: 'GoTo Technologies México S. de R.L. de C.V.' },
    ],
    remittance: {
      cheque: {
        payableTo: 'GoTo Technologies México S. de R.L. de C.V.',
        lockbox: ['GoTo Technologies México', 'Apartado Postal 118', 'Ciudad de México, CDMX 06000'],
        overnight: ['GoTo Technologies México', 'Paseo de la Reforma 505, Piso 31', 'Cuauhtémoc, CDMX 06500'],
      },
      bankTransfer: {
        bank: 'Banco Mercantil del Norte',
        accountName: 'GoTo Technologies México S. de R.L. de C.V.',
        accountNumber: '0123456789',
        clabe: '072180001234567891',
        swift: 'MENOMXMT',
      },
      speiReferenceIsInvoiceNumber: true,
    },
    rules: {
      proration: 'after-start',
      dueDays: 15,
      cancellationNotice: { kind: 'days-before-next-cycle', days: 30 },
    },
  },
];

const usdMxn = (usd: string, mxn: string, validFrom = '2024-01-01') => [
  { currency: 'USD', validFrom, amount: usd },
  { currency: 'MXN', validFrom, amount: mxn },
];

/** CAT-1, CAT-6: the phone-service price list, per currency and effective-dated. */
export const PHONE_CATALOG: CatalogItemInput[] = [
  {
    code: 'device.desk-phone',
    name: 'Desk phone service',
    chargeType: 'service_fee',
    unit: 'device',
    billing: 'recurring',
    prices: usdMxn('24.95', '449.00'),
  },
  {
    code: 'device.softphone',
    name: 'Softphone service',
    chargeType: 'service_fee',
    unit: 'device',
    billing: 'recurring',
    prices: usdMxn('19.95', '359.00'),
  },
  {
    code: 'device.executive-ext',
    name: 'Executive line (per extension)',
    chargeType: 'service_fee',
    unit: 'extension',
    billing: 'recurring',
    attributes: { perExtension: true },
    prices: usdMxn('12.95', '229.00'),
  },
  {
    code: 'device.ata',
    name: 'Analog adapter (ATA) service',
    chargeType: 'service_fee',
    unit: 'device',
    billing: 'recurring',
    prices: usdMxn('14.95', '269.00'),
  },
  {
    code: 'device.paging',
    name: 'Paging adapter service',
    chargeType: 'service_fee',
    unit: 'device',
    billing: 'recurring',
    prices: usdMxn('9.95', '179.00'),
  },
  {
    code: 'device.low-usage',
    name: 'Low-usage device',
    chargeType: 'service_fee',
    unit: 'device',
    billing: 'recurring',
    // Its 50 off-net minutes and their rate are the calling plan's (lowUsageMinutesPerDevice, per
    // currency and month: /v1/calling-plans), said there only.
    attributes: { lowUsage: true, minimumPhones: 20 },
    prices: usdMxn('9.95', '179.00'),
  },
  {
    code: 'number.local',
    name: 'Local number',
    chargeType: 'standard_numbers',
    unit: 'number',
    billing: 'recurring',
    attributes: { numberType: 'local' },
    prices: usdMxn('4.00', '69.00'),
  },
  {
    code: 'number.toll-free',
    name: 'Toll-free number',
    chargeType: 'standard_numbers',
    unit: 'number',
    billing: 'recurring',
    attributes: { numberType: 'toll-free' },
    prices: usdMxn('6.00', '109.00'),
  },
  {
    code: 'number.inbound-only',
    name: 'Inbound-only number',
    chargeType: 'standard_numbers',
    unit: 'number',
    billing: 'recurring',
    attributes: { numberType: 'inbound-only' },
    prices: usdMxn('3.00', '55.00'),
  },
  {
    code: 'number.two-way',
    name: 'Two-way number',
    chargeType: 'standard_numbers',
    unit: 'number',
    billing: 'recurring',
    attributes: { numberType: 'two-way' },
    prices: usdMxn('4.50', '79.00'),
  },
  {
    code: 'number.international',
    name: 'International number',
    chargeType: 'standard_numbers',
    unit: 'number',
    billing: 'recurring',
    attributes: { numberType: 'international' },
    prices: usdMxn('12.00', '219.00'),
  },
  {
    code: 'cc.seat',
    name: 'Contact center seat',
    chargeType: 'contact_center',
    unit: 'seat',
    billing: 'recurring',
    prices: usdMxn('45.00', '819.00'),
  },
  {
    code: 'rental.desk-phone',
    name: 'Desk phone rental',
    chargeType: 'rental',
    unit: 'device',
    billing: 'recurring',
    attributes: { termMonths: [24, 36] },
    prices: usdMxn('6.50', '119.00'),
  },
  {
    code: 'circuit.broadband-100',
    name: 'Broadband circuit 100 Mbps',
    chargeType: 'circuit',
    unit: 'circuit',
    billing: 'recurring',
    prices: usdMxn('149.00', '2699.00'),
  },
  {
    code: 'hw.desk-phone',
    name: 'Desk phone (purchase)',
    chargeType: 'one_time',
    unit: 'device',
    billing: 'one_time',
    prices: usdMxn('189.00', '3399.00'),
  },
  {
    code: 'number.premium',
    name: 'Premium (vanity) number',
    chargeType: 'one_time',
    unit: 'number',
    billing: 'one_time',
    prices: usdMxn('25.00', '449.00'),
  },
  {
    code: 'install.onsite',
    name: 'On-site installation',
    chargeType: 'one_time',
    unit: 'visit',
    billing: 'one_time',
    prices: usdMxn('150.00', '2699.00'),
  },
  {
    code: 'fee.cid-e911-change',
    name: 'Caller ID / E911 change',
    chargeType: 'one_time',
    unit: 'request',
    billing: 'one_time',
    prices: usdMxn('15.00', '269.00'),
  },
  {
    code: 'fee.buyout',
    name: 'Early termination (buy-out)',
    chargeType: 'one_time',
    unit: 'month',
    billing: 'one_time',
    prices: usdMxn('0.00', '0.00'),
  },
];

/** Creates whatever of the entities and catalog is missing (safe to run again). */
export async function seedReferenceData(ctx: Ctx): Promise<{ entities: number; items: number }> {
  const haveEntities = new Set((await listBillingEntities(ctx)).map((e) => e.code));
  let entities = 0;
  for (const e of BILLING_ENTITIES) {
    if (!haveEntities.has(e.code)) {
      await createBillingEntity(ctx, e);
      entities++;
    }
  }
  const haveItems = new Set((await listCatalogItems(ctx)).map((i) => i.code));
  let items = 0;
  for (const i of PHONE_CATALOG) {
    if (!haveItems.has(i.code)) {
      await createCatalogItem(ctx, i);
      items++;
    }
  }
  return { entities, items };
}
