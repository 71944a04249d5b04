/**
 * The demo: a dozen believable customers of the three billing entities, their contracts and
 * service inventories, and every monthly invoice due up to today. All dates are computed from the
 * runtime's clock, so the demo looks the same ("signed seven months ago, a few phones added since")
 * whatever day it is loaded on, and everything goes through the modules' use cases.
 */
import type { Ctx } from '../context.ts';
import type { Runtime } from '../runtime.ts';
import {
  type BillingMonth,
  type CalendarDate,
  addDays,
  addMonthsToMonth,
  conflict,
  dateInZone,
  dateParts,
  firstDayOf,
  formatMoney,
  invalid,
  lastDayOf,
  minDate,
  monthOf,
} from '../kernel/index.ts';
import { type Account, createAccount, listAccounts } from '../modules/accounts/index.ts';
import {
  type Contract,
  type InventoryItem,
  addInventory,
  createContract,
  removeInventory,
} from '../modules/inventory/index.ts';
import { billRun, rentalRun } from '../modules/invoicing/index.ts';
import {
  TEST_CARDS,
  accountBalance,
  addPaymentMethod,
  payBalance,
  recordOfflinePayment,
  setAutopay,
} from '../modules/payments/index.ts';
import { seedReferenceData } from '../setup/reference-data.ts';
import { loadDemoUsage } from './usage.ts';
import {
  demoFeeSchedule,
  demoTaxTable,
  loadRateTables,
  publishFeeSchedule,
  publishTaxTable,
} from '../modules/taxes/index.ts';

// ---- the data ---------------------------------------------------------------------------------

/**
 * A day relative to a month: `offsetMonths` months from it, on `day` (clamped to the month's end).
 * For the signature date the month is the current month; for inventory it is the signature month.
 */
export interface RelativeDay {
  offsetMonths: number;
  day: number;
}

export interface DemoItem {
  /** Catalog code (src/setup/reference-data.ts). */
  code: string;
  quantity: number;
  /** When it was added, relative to the signature month; absent = on the signature date. */
  at?: RelativeDay;
  attributes?: Record<string, unknown>;
  /** When the whole line was removed (effective at that month's end), relative to the signature month. */
  removed?: RelativeDay;
}

export interface DemoAccount {
  companyName: string;
  entity: 'US' | 'CA' | 'MX';
  locale: 'en-US' | 'en-CA' | 'fr-CA' | 'es-MX';
  timeZone: string;
  type: 'online' | 'corporate';
  taxExempt?: boolean;
  address: {
    line1: string;
    line2?: string;
    city: string;
    state: string;
    postalCode: string;
    country: string;
  };
  poNumber?: string;
  /** Invoice recipients (at most 5); the first one is the primary billing contact. */
  billingContacts: { name: string; email: string }[];
  receiptEmail: string;
  /** Relative to the current month. */
  signed: RelativeDay;
  freeMonths?: number;
  /** null = month-to-month. */
  termMonths: 12 | 24 | 36 | null;
  commitments?: Record<string, unknown>;
  inventory: DemoItem[];
}

export const DEMO_ACCOUNTS: DemoAccount[] = [
  // ---- United States (Jive Communications Inc.) ----
  {
    companyName: 'Lone Star Family Dental, PLLC',
    entity: 'US',
    locale: 'en-US',
    timeZone: 'America/Chicago',
    type: 'online',
    address: {
      line1: '2800 Bee Caves Rd, Suite 210',
      city: 'Austin',
      state: 'TX',
      postalCode: '78746',
      country: 'US',
    },
    billingContacts: [
      { name: 'Rosa Delgado', email: 'office@lonestarfamilydental.example' },
      { name: 'Dr. Anil Patel', email: 'anil.patel@lonestarfamilydental.example' },
    ],
    receiptEmail: 'accounts@lonestarfamilydental.example',
    signed: { offsetMonths: -8, day: 1 },
    termMonths: 12,
    inventory: [
      { code: 'device.desk-phone', quantity: 6, attributes: { site: 'Front desk and operatories' } },
      { code: 'device.softphone', quantity: 2 },
      { code: 'device.paging', quantity: 1, attributes: { site: 'Overhead paging, clinic floor' } },
      { code: 'number.local', quantity: 3, attributes: { areaCode: '512' } },
      { code: 'number.toll-free', quantity: 1 },
      // A new operatory opened on the 1st: billed in full from that month's invoice.
      { code: 'device.desk-phone', quantity: 2, at: { offsetMonths: 3, day: 1 } },
      {
        code: 'number.local',
        quantity: 1,
        at: { offsetMonths: 5, day: 18 },
        attributes: { areaCode: '737' },
      },
    ],
  },
  {
    companyName: 'Harborview Legal Group LLP',
    entity: 'US',
    locale: 'en-US',
    timeZone: 'America/Los_Angeles',
    type: 'corporate',
    address: {
      line1: '1201 Third Ave, Suite 3400',
      city: 'Seattle',
      state: 'WA',
      postalCode: '98101',
      country: 'US',
    },
    poNumber: 'HLG-PO-2291',
    billingContacts: [
      { name: "Megan O'Connor", email: 'ap@harborviewlegal.example' },
      { name: 'Daniel Kim', email: 'daniel.kim@harborviewlegal.example' },
      { name: 'Laura Jensen', email: 'laura.jensen@harborviewlegal.example' },
      { name: 'IT Services', email: 'it@harborviewlegal.example' },
    ],
    receiptEmail: 'ap@harborviewlegal.example',
    signed: { offsetMonths: -7, day: 15 },
    freeMonths: 2,
    termMonths: 36,
    inventory: [
      { code: 'device.desk-phone', quantity: 18 },
      { code: 'device.executive-ext', quantity: 6, attributes: { note: 'Partners: executive lines' } },
      { code: 'device.softphone', quantity: 5 },
      { code: 'number.local', quantity: 12, attributes: { areaCode: '206' } },
      { code: 'number.toll-free', quantity: 1 },
      { code: 'number.international', quantity: 1, attributes: { country: 'CA', city: 'Vancouver' } },
      // New associates on the 20th: prorated for the rest of that month on the next invoice.
      { code: 'device.desk-phone', quantity: 3, at: { offsetMonths: 4, day: 20 } },
      {
        code: 'number.local',
        quantity: 3,
        at: { offsetMonths: 4, day: 20 },
        attributes: { areaCode: '206' },
      },
      // Summer associates from the 1st, released after the summer.
      {
        code: 'device.softphone',
        quantity: 2,
        at: { offsetMonths: 2, day: 1 },
        attributes: { note: 'Summer associates' },
        removed: { offsetMonths: 5, day: 9 },
      },
    ],
  },
  {
    companyName: 'Gulf Coast Freight Logistics, Inc.',
    entity: 'US',
    locale: 'en-US',
    timeZone: 'America/Chicago',
    type: 'corporate',
    address: {
      line1: '8900 Clinton Dr',
      city: 'Houston',
      state: 'TX',
      postalCode: '77029',
      country: 'US',
    },
    poNumber: 'GCF-4471-TEL',
    billingContacts: [
      { name: 'Accounts Payable', email: 'payables@gulfcoastfreight.example' },
      { name: 'Tom Reyes', email: 'tom.reyes@gulfcoastfreight.example' },
      { name: 'Karen Liu', email: 'karen.liu@gulfcoastfreight.example' },
      { name: 'Dispatch Office', email: 'dispatch@gulfcoastfreight.example' },
      { name: 'Facilities', email: 'facilities@gulfcoastfreight.example' },
    ],
    receiptEmail: 'payables@gulfcoastfreight.example',
    signed: { offsetMonths: -6, day: 1 },
    freeMonths: 1,
    termMonths: 24,
    commitments: { lowUsageDevices: 8 },
    inventory: [
      { code: 'device.desk-phone', quantity: 26 },
      { code: 'device.softphone', quantity: 4 },
      { code: 'device.low-usage', quantity: 6, attributes: { site: 'Warehouse dock doors' } },
      { code: 'device.ata', quantity: 3, attributes: { note: 'Gate intercom and fax lines' } },
      { code: 'device.paging', quantity: 2, attributes: { site: 'Warehouse overhead paging' } },
      { code: 'number.two-way', quantity: 18, attributes: { areaCode: '713' } },
      { code: 'number.toll-free', quantity: 2 },
      {
        code: 'circuit.broadband-100',
        quantity: 1,
        at: { offsetMonths: 1, day: 12 },
        attributes: { carrier: 'Bayou Fiber', note: 'Billing from the carrier activation date' },
      },
      { code: 'device.low-usage', quantity: 2, at: { offsetMonths: 3, day: 1 } },
      {
        code: 'number.two-way',
        quantity: 2,
        at: { offsetMonths: 3, day: 1 },
        attributes: { areaCode: '281' },
      },
    ],
  },
  {
    companyName: 'Brightline Contact Solutions LLC',
    entity: 'US',
    locale: 'en-US',
    timeZone: 'America/New_York',
    type: 'corporate',
    address: {
      line1: '4200 W Cypress St, Suite 600',
      city: 'Tampa',
      state: 'FL',
      postalCode: '33607',
      country: 'US',
    },
    poNumber: 'BCS-2026-0142',
    billingContacts: [
      { name: 'Finance Team', email: 'finance@brightlinecx.example' },
      { name: 'Andre Thompson', email: 'andre.thompson@brightlinecx.example' },
      { name: 'Workforce Planning', email: 'wfm@brightlinecx.example' },
    ],
    receiptEmail: 'finance@brightlinecx.example',
    signed: { offsetMonths: -5, day: 10 },
    termMonths: 24,
    inventory: [
      { code: 'cc.seat', quantity: 40, attributes: { queue: 'Inbound customer care' } },
      { code: 'device.softphone', quantity: 40 },
      { code: 'device.desk-phone', quantity: 6, attributes: { note: 'Supervisors' } },
      { code: 'number.toll-free', quantity: 4 },
      { code: 'number.local', quantity: 10, attributes: { areaCode: '813' } },
      // A new client mid-month: 4 permanent agents and 8 seasonal ones, released two months later.
      {
        code: 'cc.seat',
        quantity: 4,
        at: { offsetMonths: 2, day: 16 },
        attributes: { queue: 'Retail client' },
      },
      { code: 'device.softphone', quantity: 4, at: { offsetMonths: 2, day: 16 } },
      {
        code: 'cc.seat',
        quantity: 8,
        at: { offsetMonths: 2, day: 16 },
        attributes: { queue: 'Retail client, seasonal' },
        removed: { offsetMonths: 4, day: 5 },
      },
      {
        code: 'device.softphone',
        quantity: 8,
        at: { offsetMonths: 2, day: 16 },
        attributes: { note: 'Seasonal agents' },
        removed: { offsetMonths: 4, day: 5 },
      },
    ],
  },
  {
    companyName: 'Empire Pediatrics of Brooklyn, P.C.',
    entity: 'US',
    locale: 'en-US',
    timeZone: 'America/New_York',
    type: 'online',
    address: {
      line1: '142 Joralemon St, 2nd Floor',
      city: 'Brooklyn',
      state: 'NY',
      postalCode: '11201',
      country: 'US',
    },
    billingContacts: [
      { name: 'Sharon Goldberg', email: 'billing@empirepediatrics.example' },
      { name: 'Dr. Marcus Hill', email: 'mhill@empirepediatrics.example' },
    ],
    receiptEmail: 'billing@empirepediatrics.example',
    signed: { offsetMonths: -4, day: 20 },
    termMonths: null,
    commitments: { rentalTermMonths: 36 },
    inventory: [
      { code: 'device.desk-phone', quantity: 7 },
      { code: 'device.ata', quantity: 1, attributes: { note: 'Fax line' } },
      { code: 'number.local', quantity: 2, attributes: { areaCode: '718' } },
      { code: 'rental.desk-phone', quantity: 3, attributes: { termMonths: 36 } },
      { code: 'device.softphone', quantity: 2, at: { offsetMonths: 2, day: 3 } },
    ],
  },
  {
    companyName: 'Sacramento Valley Community Health Center',
    entity: 'US',
    locale: 'en-US',
    timeZone: 'America/Los_Angeles',
    type: 'online',
    taxExempt: true,
    address: {
      line1: '1500 21st St',
      city: 'Sacramento',
      state: 'CA',
      postalCode: '95811',
      country: 'US',
    },
    billingContacts: [
      { name: 'Grants & Finance', email: 'finance@svchc.example' },
      { name: 'Maria Santos', email: 'maria.santos@svchc.example' },
      { name: 'Operations', email: 'operations@svchc.example' },
    ],
    receiptEmail: 'finance@svchc.example',
    signed: { offsetMonths: -3, day: 1 },
    freeMonths: 1,
    termMonths: 12,
    inventory: [
      { code: 'device.desk-phone', quantity: 12 },
      { code: 'device.softphone', quantity: 4 },
      { code: 'device.ata', quantity: 1, attributes: { note: 'Fax line' } },
      { code: 'number.local', quantity: 4, attributes: { areaCode: '916' } },
      { code: 'number.toll-free', quantity: 1 },
      { code: 'number.inbound-only', quantity: 1, attributes: { note: 'Appointment line' } },
      { code: 'device.desk-phone', quantity: 2, at: { offsetMonths: 2, day: 1 } },
    ],
  },

  // ---- Canada (LogMeIn Technologies Canada Ltd.) ----
  {
    companyName: 'Maple Leaf Physiotherapy Inc.',
    entity: 'CA',
    locale: 'en-CA',
    timeZone: 'America/Toronto',
    type: 'online',
    address: {
      line1: '388 King St W, Unit 4',
      city: 'Toronto',
      state: 'ON',
      postalCode: 'M5V 1K2',
      country: 'CA',
    },
    billingContacts: [{ name: 'Priya Raman', email: 'admin@mapleleafphysio.example' }],
    receiptEmail: 'admin@mapleleafphysio.example',
    signed: { offsetMonths: -8, day: 12 },
    termMonths: null,
    inventory: [
      { code: 'device.desk-phone', quantity: 5 },
      { code: 'device.softphone', quantity: 1 },
      {
        code: 'device.softphone',
        quantity: 1,
        attributes: { note: 'Part-time reception' },
        removed: { offsetMonths: 4, day: 28 },
      },
      { code: 'number.local', quantity: 2, attributes: { areaCode: '416' } },
      { code: 'device.desk-phone', quantity: 1, at: { offsetMonths: 6, day: 22 } },
    ],
  },
  {
    companyName: 'Cabinet juridique Beaulieu & Associés S.E.N.C.R.L.',
    entity: 'CA',
    locale: 'fr-CA',
    timeZone: 'America/Toronto',
    type: 'corporate',
    address: {
      line1: '1000, rue De La Gauchetière Ouest, bureau 2400',
      city: 'Montréal',
      state: 'QC',
      postalCode: 'H3B 4W5',
      country: 'CA',
    },
    poNumber: 'BEAU-BC-0388',
    billingContacts: [
      { name: 'Isabelle Tremblay', email: 'comptabilite@beaulieu-avocats.example' },
      { name: 'Me Jean-François Beaulieu', email: 'jf.beaulieu@beaulieu-avocats.example' },
      { name: 'Soutien informatique', email: 'ti@beaulieu-avocats.example' },
    ],
    receiptEmail: 'comptabilite@beaulieu-avocats.example',
    signed: { offsetMonths: -6, day: 18 },
    freeMonths: 1,
    termMonths: 24,
    inventory: [
      { code: 'device.desk-phone', quantity: 9 },
      { code: 'device.executive-ext', quantity: 4, attributes: { note: 'Associés : lignes de direction' } },
      { code: 'number.local', quantity: 5, attributes: { areaCode: '514' } },
      { code: 'number.toll-free', quantity: 1 },
      { code: 'device.desk-phone', quantity: 2, at: { offsetMonths: 3, day: 20 } },
      {
        code: 'number.local',
        quantity: 1,
        at: { offsetMonths: 3, day: 20 },
        attributes: { areaCode: '438' },
      },
    ],
  },
  {
    companyName: 'Pacific Rim Customs Brokers Ltd.',
    entity: 'CA',
    locale: 'en-CA',
    timeZone: 'America/Vancouver',
    type: 'corporate',
    address: {
      line1: '555 W Hastings St, Suite 1200',
      city: 'Vancouver',
      state: 'BC',
      postalCode: 'V6B 4N6',
      country: 'CA',
    },
    billingContacts: [
      { name: 'Accounts Payable', email: 'ap@pacificrimcustoms.example' },
      { name: 'Gurpreet Sandhu', email: 'gurpreet.sandhu@pacificrimcustoms.example' },
      { name: 'Delta Warehouse', email: 'delta@pacificrimcustoms.example' },
      { name: 'Wei Zhang', email: 'wei.zhang@pacificrimcustoms.example' },
    ],
    receiptEmail: 'ap@pacificrimcustoms.example',
    signed: { offsetMonths: -5, day: 1 },
    termMonths: 36,
    commitments: { lowUsageDevices: 4 },
    inventory: [
      { code: 'device.desk-phone', quantity: 20 },
      { code: 'device.softphone', quantity: 3 },
      { code: 'device.low-usage', quantity: 4, attributes: { site: 'Delta warehouse' } },
      { code: 'device.ata', quantity: 2, attributes: { note: 'Fax and gate intercom' } },
      { code: 'number.two-way', quantity: 12, attributes: { areaCode: '604' } },
      { code: 'number.international', quantity: 2, attributes: { country: 'US', city: 'Blaine, WA' } },
      {
        code: 'circuit.broadband-100',
        quantity: 1,
        at: { offsetMonths: 0, day: 21 },
        attributes: { carrier: 'Coastal Fibre', note: 'Billing from the carrier activation date' },
      },
      {
        code: 'number.international',
        quantity: 1,
        at: { offsetMonths: 2, day: 14 },
        attributes: { country: 'US', city: 'Seattle, WA' },
      },
    ],
  },

  // ---- Mexico (GoTo Technologies México S. de R.L. de C.V.) ----
  {
    companyName: 'Clínica Dental Sonrisa Tapatía',
    entity: 'MX',
    locale: 'es-MX',
    timeZone: 'America/Mexico_City',
    type: 'online',
    address: {
      line1: 'Av. Chapultepec Sur 480, Col. Americana',
      city: 'Guadalajara',
      state: 'JAL',
      postalCode: '44160',
      country: 'MX',
    },
    billingContacts: [
      { name: 'Lucía Hernández', email: 'administracion@sonrisatapatia.example' },
      { name: 'Dr. Ernesto Villaseñor', email: 'ernesto@sonrisatapatia.example' },
    ],
    receiptEmail: 'administracion@sonrisatapatia.example',
    signed: { offsetMonths: -7, day: 1 },
    termMonths: null,
    inventory: [
      { code: 'device.desk-phone', quantity: 4 },
      { code: 'device.softphone', quantity: 2 },
      { code: 'number.local', quantity: 2, attributes: { areaCode: '33' } },
      { code: 'device.desk-phone', quantity: 1, at: { offsetMonths: 4, day: 11 } },
    ],
  },
  {
    companyName: 'Montemayor Garza Abogados, S.C.',
    entity: 'MX',
    locale: 'es-MX',
    timeZone: 'America/Monterrey',
    type: 'corporate',
    address: {
      line1: 'Av. Ricardo Margáin Zozaya 575, Piso 12, Col. Valle del Campestre',
      city: 'San Pedro Garza García',
      state: 'NLE',
      postalCode: '66265',
      country: 'MX',
    },
    poNumber: 'OC-2026-117',
    billingContacts: [
      { name: 'Claudia Treviño', email: 'cuentasporpagar@montemayorgarza.example' },
      { name: 'Lic. Roberto Montemayor', email: 'rmontemayor@montemayorgarza.example' },
      { name: 'Sistemas', email: 'sistemas@montemayorgarza.example' },
    ],
    receiptEmail: 'cuentasporpagar@montemayorgarza.example',
    signed: { offsetMonths: -6, day: 14 },
    freeMonths: 2,
    termMonths: 24,
    inventory: [
      { code: 'device.desk-phone', quantity: 10 },
      { code: 'device.executive-ext', quantity: 3, attributes: { note: 'Socios: líneas ejecutivas' } },
      { code: 'number.local', quantity: 4, attributes: { areaCode: '81' } },
      { code: 'number.toll-free', quantity: 1 },
      { code: 'device.softphone', quantity: 3, at: { offsetMonths: 3, day: 1 } },
    ],
  },
  {
    companyName: 'Logística Regiomontana de Carga, S.A. de C.V.',
    entity: 'MX',
    locale: 'es-MX',
    timeZone: 'America/Monterrey',
    type: 'corporate',
    address: {
      line1: 'Carretera Miguel Alemán km 24.5, Parque Industrial Apodaca',
      city: 'Apodaca',
      state: 'NLE',
      postalCode: '66600',
      country: 'MX',
    },
    poNumber: 'LRC-TEL-0091',
    billingContacts: [
      { name: 'Cuentas por Pagar', email: 'cxp@logisticaregiomontana.example' },
      { name: 'Javier Cantú', email: 'javier.cantu@logisticaregiomontana.example' },
      { name: 'Almacén Central', email: 'almacen@logisticaregiomontana.example' },
      { name: 'Sofía Elizondo', email: 'sofia.elizondo@logisticaregiomontana.example' },
    ],
    receiptEmail: 'cxp@logisticaregiomontana.example',
    signed: { offsetMonths: -4, day: 1 },
    freeMonths: 1,
    termMonths: 36,
    commitments: { lowUsageDevices: 6, rentalTermMonths: 36 },
    inventory: [
      { code: 'device.desk-phone', quantity: 22 },
      { code: 'device.softphone', quantity: 2 },
      { code: 'device.low-usage', quantity: 5, attributes: { site: 'Andenes de carga' } },
      { code: 'device.ata', quantity: 3, attributes: { note: 'Fax y caseta de vigilancia' } },
      { code: 'device.paging', quantity: 1, attributes: { site: 'Voceo en almacén' } },
      { code: 'number.two-way', quantity: 10, attributes: { areaCode: '81' } },
      { code: 'number.toll-free', quantity: 2 },
      { code: 'number.international', quantity: 1, attributes: { country: 'US', city: 'Laredo, TX' } },
      { code: 'rental.desk-phone', quantity: 4, attributes: { termMonths: 36 } },
      {
        code: 'circuit.broadband-100',
        quantity: 1,
        at: { offsetMonths: 1, day: 9 },
        attributes: { carrier: 'Fibra del Norte', note: 'Facturación desde la activación del operador' },
      },
      { code: 'device.low-usage', quantity: 1, at: { offsetMonths: 2, day: 1 } },
    ],
  },
  {
    companyName: 'Inmobiliaria Paseo Reforma, S.A. de C.V.',
    entity: 'MX',
    locale: 'es-MX',
    timeZone: 'America/Mexico_City',
    type: 'online',
    address: {
      line1: 'Paseo de la Reforma 296, Piso 8, Col. Juárez',
      city: 'Ciudad de México',
      state: 'CMX',
      postalCode: '06600',
      country: 'MX',
    },
    billingContacts: [
      { name: 'Fernanda Ríos', email: 'facturas@paseoreforma.example' },
      { name: 'Alejandro Díaz', email: 'adiaz@paseoreforma.example' },
    ],
    receiptEmail: 'tesoreria@paseoreforma.example',
    signed: { offsetMonths: -2, day: 22 },
    freeMonths: 1,
    termMonths: null,
    commitments: { rentalTermMonths: 24 },
    inventory: [
      { code: 'device.softphone', quantity: 6 },
      { code: 'device.desk-phone', quantity: 3 },
      { code: 'number.local', quantity: 3, attributes: { areaCode: '55' } },
      { code: 'rental.desk-phone', quantity: 3, attributes: { termMonths: 24 } },
      { code: 'number.local', quantity: 1, at: { offsetMonths: 1, day: 27 }, attributes: { areaCode: '55' } },
    ],
  },
];

// ---- loading ----------------------------------------------------------------------------------

export interface DemoSummary {
  accounts: number;
  invoices: number;
  months: string[];
}

/** Phones (desk phones and softphones) a low-usage device needs alongside it (CAT-4). */
const LOW_USAGE_MIN_PHONES = 20;
const PHONE_CODES = new Set(['device.desk-phone', 'device.softphone']);

/** The day `rel` in the month `rel.offsetMonths` from `month`, clamped to that month's last day. */
function dayOf(month: BillingMonth, rel: RelativeDay): CalendarDate {
  const m = addMonthsToMonth(month, rel.offsetMonths);
  return minDate(addDays(firstDayOf(m), rel.day - 1), lastDayOf(m));
}

/** The table is data: check the rules the modules leave to the contract before loading it. */
function checkSpec(spec: DemoAccount): void {
  const qty = (pred: (i: DemoItem) => boolean) =>
    spec.inventory.filter(pred).reduce((n, i) => n + i.quantity, 0);
  const lowUsage = qty((i) => i.code === 'device.low-usage');
  if (lowUsage > 0) {
    const phones = qty((i) => PHONE_CODES.has(i.code));
    if (phones < LOW_USAGE_MIN_PHONES) {
      throw invalid(
        'demo_data',
        `${spec.companyName}: low-usage devices need at least ${LOW_USAGE_MIN_PHONES} phones (has ${phones}).`,
      );
    }
    const allowed = Number(spec.commitments?.lowUsageDevices ?? 0);
    if (lowUsage > allowed) {
      throw invalid(
        'demo_data',
        `${spec.companyName}: ${lowUsage} low-usage devices, the contract allows ${allowed}.`,
      );
    }
  }
}

interface Loaded {
  account: Account;
  contract: Contract;
  /** Its toll-free numbers (E.164 as written), which demo callers reach (USG-2). */
  tollFree: string[];
}

/**
 * The numbers of a toll-free line the demo lists none for: the inventory must name a toll-free
 * number for calls to it to be rated (a call to an unlisted one is reported and waits). 888 736
 * (NANP) or 800 736 (Mexico), numbered across the demo from `next`.
 */
function demoTollFreeNumbers(country: string, quantity: number, next: { n: number }): string[] {
  return Array.from({ length: quantity }, () => {
    const line = String(1000 + next.n++).padStart(4, '0');
    return country === 'MX' ? `+52 800 736 ${line}` : `+1 888 736 ${line}`;
  });
}

async function loadAccount(
  ctx: Ctx,
  spec: DemoAccount,
  log: (msg: string) => void,
  tollFreeLines: { n: number },
): Promise<Loaded> {
  checkSpec(spec);
  const today = dateInZone(ctx.clock.now(), spec.timeZone);
  const signatureDate = minDate(dayOf(monthOf(today), spec.signed), today);
  const signatureMonth = monthOf(signatureDate);

  const [primary, ...others] = spec.billingContacts;
  if (!primary) throw invalid('demo_data', `${spec.companyName}: no billing contact.`);
  const account = await createAccount(ctx, {
    companyName: spec.companyName,
    entity: spec.entity,
    timeZone: spec.timeZone,
    locale: spec.locale,
    type: spec.type,
    taxStatus: spec.taxExempt ? 'exempt' : 'taxable',
    address: spec.address,
    poNumber: spec.poNumber ?? null,
    invoiceRecipients: [{ ...primary, primary: true }, ...others.map((c) => ({ ...c, primary: false }))],
    receiptEmail: spec.receiptEmail,
  });
  const contract = await createContract(ctx, account.id, {
    signatureDate,
    freeMonths: spec.freeMonths ?? 0,
    termMonths: spec.termMonths,
    commitments: spec.commitments ?? {},
  });

  // Additions first (effective-dated, so the order of the calls does not matter to billing)…
  const added: { spec: DemoItem; item: InventoryItem }[] = [];
  const tollFree: string[] = [];
  for (const item of spec.inventory) {
    const addedOn = item.at ? dayOf(signatureMonth, item.at) : signatureDate;
    if (addedOn < signatureDate || addedOn > today) {
      log(`  skipped ${item.quantity} × ${item.code}: ${addedOn} is outside ${signatureDate}…${today}`);
      continue;
    }
    let attributes = item.attributes ?? {};
    if (
      item.code === 'number.toll-free' &&
      attributes.numbers === undefined &&
      attributes.number === undefined
    ) {
      const numbers = demoTollFreeNumbers(spec.address.country, item.quantity, tollFreeLines);
      attributes = { ...attributes, numbers };
      if (!item.removed && !item.at) tollFree.push(...numbers);
    }
    const [created] = await addInventory(ctx, account.id, [
      { itemCode: item.code, quantity: item.quantity, addedOn, attributes },
    ]);
    if (created) added.push({ spec: item, item: created });
  }
  // …then the removals, which name the line they end.
  let removals = 0;
  for (const { spec: item, item: line } of added) {
    if (!item.removed) continue;
    const removedOn = dayOf(signatureMonth, item.removed);
    if (removedOn < line.addedOn || removedOn > today) {
      log(`  skipped removal of ${item.code}: ${removedOn} is outside ${line.addedOn}…${today}`);
      continue;
    }
    await removeInventory(ctx, line.id, { removedOn });
    removals++;
  }

  const term = contract.termMonths === null ? 'month-to-month' : `${contract.termMonths} months`;
  const free = contract.freeMonths > 0 ? `, ${contract.freeMonths} free month(s)` : '';
  log(
    `account ${account.number} ${account.companyName} (${account.entityCode}, ${account.address.state}, ` +
      `${account.timeZone}): signed ${contract.signatureDate}${free}, billing from ` +
      `${contract.billingStartDate}, ${term}; ${added.length} inventory lines, ${removals} removal(s)`,
  );
  return { account, contract, tollFree };
}

/** The first month whose invoice (dated the 1st) falls on or after the billing start date. */
function firstBilledMonth(billingStartDate: CalendarDate): BillingMonth {
  const month = monthOf(billingStartDate);
  return dateParts(billingStartDate).day === 1 ? month : addMonthsToMonth(month, 1);
}

/**
 * Loads the demo into an instance that has no accounts yet: reference data (if missing),
 * the accounts of DEMO_ACCOUNTS with their contracts and inventories, then every monthly bill
 * run from the first billable month up to the current one.
 */
export async function loadDemo(
  rt: Runtime,
  opts: { log?: (msg: string) => void } = {},
): Promise<DemoSummary> {
  const log = opts.log ?? (() => {});
  const ctx = rt.ctx('demo');

  const seeded = await seedReferenceData(ctx);
  if (seeded.entities + seeded.items > 0) {
    log(`reference data: ${seeded.entities} billing entities, ${seeded.items} catalog items created`);
  }
  const existing = await listAccounts(ctx, { limit: 1 });
  if (existing.data.length > 0) {
    throw conflict(
      'demo_already_loaded',
      'This instance already has accounts: the demo loads only into an empty instance.',
    );
  }

  // The demo's regulatory fees and tax tables (staff publish their own on a real instance).
  const rates = await loadRateTables(ctx);
  if (!rates.fees) await publishFeeSchedule(ctx, demoFeeSchedule);
  if (!rates.taxes) await publishTaxTable(ctx, demoTaxTable);
  log('rate tables: demo regulatory fees (RRF, SLRRF, USF) and US/CA/MX tax rates');

  const loaded: Loaded[] = [];
  const tollFreeLines = { n: 0 };
  for (const spec of DEMO_ACCOUNTS) loaded.push(await loadAccount(ctx, spec, log, tollFreeLines));

  // The bill runs come after every account, contract and inventory line exists: an addition dated
  // the 1st of a month must be there when that month's invoice is issued.
  const now = ctx.clock.now();
  const currentMonth = loaded
    .map(({ account }) => monthOf(dateInZone(now, account.timeZone)))
    .reduce((a, b) => (a > b ? a : b));
  const firstMonth = loaded
    .map(({ contract }) => firstBilledMonth(contract.billingStartDate))
    .reduce((a, b) => (a < b ? a : b));

  // Calls of every month before the current one, rated by the bill runs below (RUN-4).
  const usage = await loadDemoUsage(
    ctx,
    loaded.map(({ account, contract, tollFree }) => ({
      id: account.id,
      country: account.address.country,
      timeZone: account.timeZone,
      billingStartDate: contract.billingStartDate,
      tollFree,
    })),
    currentMonth,
  );
  log(`usage: demo rate decks (USD, MXN) and ${usage.calls} calls`);

  const months: string[] = [];
  let invoices = 0;
  for (let month = firstMonth; month <= currentMonth; month = addMonthsToMonth(month, 1)) {
    const r = await billRun(ctx, { month });
    months.push(month);
    invoices += r.invoicesCreated;
    const totals = Object.entries(r.totals)
      .map(([currency, total]) => formatMoney(total, currency, 'en-US'))
      .join(' + ');
    log(`bill run ${month}: ${r.invoicesCreated} invoice(s)${totals ? `, ${totals}` : ''}`);
    for (const f of r.failures) log(`  bill run ${month}: account ${f.accountId} failed: ${f.message}`);
    // RUN-10: rented equipment is invoiced separately, on the month's first business day.
    const rentals = await rentalRun(ctx, { month });
    invoices += rentals.invoicesCreated;
    if (rentals.invoicesCreated > 0) log(`rental run ${month}: ${rentals.invoicesCreated} invoice(s)`);
    for (const f of rentals.failures)
      log(`  rental run ${month}: account ${f.accountId} failed: ${f.message}`);
  }
  await loadDemoPayments(ctx, loaded, log);
  return { accounts: loaded.length, invoices, months };
}

/**
 * PAY-1..6: the first account pays by Visa with autopay on, the second pays half its balance by
 * Mastercard, the first Mexican account pays its oldest invoice by SPEI transfer. Most others paid
 * each invoice already due by cheque or transfer twelve days after it was issued, as customers do;
 * two stay behind (one 60+ days, one a few weeks) so aging and collections have something to show.
 */
async function loadDemoPayments(ctx: Ctx, loaded: Loaded[], log: (msg: string) => void) {
  const [first, second] = loaded;
  const mx = loaded.find(({ account }) => account.entityCode === 'MX');
  let n = 0;
  if (first) {
    await addPaymentMethod(ctx, first.account.id, {
      type: 'card',
      number: TEST_CARDS.visa,
      expMonth: 12,
      expYear: 2030,
    });
    await setAutopay(ctx, first.account.id, true);
    if ((await accountBalance(ctx, first.account.id)).balanceDue > 0) {
      await payBalance(ctx, first.account.id, { idempotencyKey: 'demo-1' });
      n++;
    }
  }
  if (second) {
    await addPaymentMethod(ctx, second.account.id, {
      type: 'card',
      number: TEST_CARDS.mastercard,
      expMonth: 6,
      expYear: 2029,
    });
    const due = (await accountBalance(ctx, second.account.id)).balanceDue;
    if (due > 1) {
      await payBalance(ctx, second.account.id, { amount: Math.floor(due / 2), idempotencyKey: 'demo-2' });
      n++;
    }
  }
  if (mx) {
    const oldest = (await accountBalance(ctx, mx.account.id)).openInvoices[0];
    if (oldest) {
      await recordOfflinePayment(ctx, mx.account.id, {
        method: 'transfer',
        amount: oldest.open,
        reference: `SPEI ${oldest.number}`,
        invoiceIds: [oldest.invoiceId],
      });
      n++;
    }
  }
  const behind = new Set([loaded[5], loaded[loaded.length - 1]]);
  let settled = 0;
  for (const l of loaded) {
    if (l === first || l === second || behind.has(l)) continue;
    const today = dateInZone(ctx.clock.now(), l.account.timeZone);
    const { openInvoices } = await accountBalance(ctx, l.account.id);
    for (const inv of openInvoices) {
      // What is not yet due stays open: the customer pays it this month.
      if (!inv.issueDate || inv.daysPastDue <= 0) continue;
      const mexican = l.account.entityCode === 'MX';
      await recordOfflinePayment(ctx, l.account.id, {
        method: mexican ? 'transfer' : 'cheque',
        amount: inv.open,
        reference: mexican ? `SPEI ${inv.number}` : `cheque ${inv.number.slice(-6)}`,
        receivedOn: minDate(addDays(inv.issueDate as CalendarDate, 12), today),
        invoiceIds: [inv.invoiceId],
      });
      settled++;
    }
  }
  log(
    `payments: ${n + settled} (card with autopay on, a partial card payment, a SPEI transfer, ` +
      `${settled} cheques and transfers for earlier invoices; ${behind.size} accounts behind)`,
  );
}
