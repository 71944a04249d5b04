import { type FeeSchedule, quarterFactor } from './fees.ts';
import { type DatedRate, parsePercent as pct } from './rates.ts';
import type { TaxTable } from './taxes.ts';

/**
 * Believable demo data for the regulatory fees (CAT-7) and the tax tables (RUN-6). The figures are
 * illustrative, not tax advice: a production installation loads its own rates (or plugs a tax
 * engine in behind TaxProvider) and keeps them current.
 */

const since = (from: string, percent: string): DatedRate[] => [{ from, ppm: pct(percent) }];

/**
 * Phone-service charge types (RUN-5) the fees are computed on; equipment, circuits and one-time
 * purchases are not telecommunications services and carry no regulatory fee.
 */
const SERVICE_LINES = [
  'service_fee',
  'standard_numbers',
  'partial_charges',
  'contact_center',
  'plan_minutes',
  'outbound_overage',
  'premium_domestic',
  'toll_free_inbound',
];

export const demoFeeSchedule: FeeSchedule = {
  fees: [
    {
      kind: 'percent',
      code: 'rrf',
      label: 'Regulatory Recovery Fee (RRF)',
      countries: ['US', 'CA'],
      appliesTo: SERVICE_LINES,
      rates: since('2025-01-01', '3.55'),
    },
    {
      kind: 'by-state',
      code: 'slrrf',
      label: 'State and Local Regulatory Recovery Fee (SLRRF)',
      countries: ['US'],
      appliesTo: SERVICE_LINES,
      states: [
        { country: 'US', state: 'AZ', name: 'Arizona', rates: since('2025-01-01', '1.15') },
        { country: 'US', state: 'CA', name: 'California', rates: since('2025-01-01', '2.25') },
        { country: 'US', state: 'FL', name: 'Florida', rates: since('2025-01-01', '1.05') },
        { country: 'US', state: 'GA', name: 'Georgia', rates: since('2025-01-01', '0.95') },
        { country: 'US', state: 'IL', name: 'Illinois', rates: since('2025-01-01', '1.4') },
        { country: 'US', state: 'MA', name: 'Massachusetts', rates: since('2025-01-01', '1.2') },
        { country: 'US', state: 'NY', name: 'New York', rates: since('2025-01-01', '1.6') },
        { country: 'US', state: 'TX', name: 'Texas', rates: since('2025-01-01', '1.8') },
        { country: 'US', state: 'UT', name: 'Utah', rates: since('2025-01-01', '0.85') },
        { country: 'US', state: 'WA', name: 'Washington', rates: since('2025-01-01', '1.35') },
      ],
    },
    {
      kind: 'usf',
      code: 'usf',
      label: 'Federal Universal Service Fund (USF) recovery',
      countries: ['US'],
      // International calls are interstate/international revenue too, so USF also covers them.
      appliesTo: [...SERVICE_LINES, 'international'],
      // The contribution factor is published shortly before each quarter; a quarter left out
      // stops the bill run for US accounts rather than billing without it.
      factors: [
        quarterFactor('2025-Q1', pct('36.3')),
        quarterFactor('2025-Q2', pct('36.6')),
        quarterFactor('2025-Q3', pct('37.4')),
        quarterFactor('2025-Q4', pct('36.9')),
        quarterFactor('2026-Q1', pct('36.5')),
        quarterFactor('2026-Q2', pct('37.1')),
        quarterFactor('2026-Q3', pct('36.2')),
        quarterFactor('2026-Q4', pct('35.7')),
        quarterFactor('2027-Q1', pct('36.0')), // demo projection: replace with the published factor
      ],
      // The interconnected-VoIP safe harbour: 64.9% of the revenue is deemed interstate.
      safeHarbour: since('2006-07-01', '64.9'),
    },
  ],
};

const TABLES_FROM = '2020-01-01';

export const demoTaxTable: TaxTable = {
  rules: [
    // ---- United States: state tax on telecommunications, plus local taxes where set ----
    {
      jurisdiction: 'US-TX',
      name: 'Texas state sales tax',
      country: 'US',
      states: ['TX'],
      rates: since(TABLES_FROM, '6.25'),
    },
    {
      jurisdiction: 'US-TX-AUSTIN',
      name: 'Austin local sales tax',
      country: 'US',
      states: ['TX'],
      cities: ['Austin'],
      rates: since(TABLES_FROM, '2'),
    },
    {
      jurisdiction: 'US-TX-HOUSTON',
      name: 'Houston local sales tax',
      country: 'US',
      states: ['TX'],
      postalPrefixes: ['770', '772'],
      rates: since(TABLES_FROM, '2'),
    },
    // California taxes telecommunications through surcharges rather than sales tax; the demo
    // uses the base state rate as a stand-in so a Californian invoice shows a tax line.
    {
      jurisdiction: 'US-CA',
      name: 'California state sales tax',
      country: 'US',
      states: ['CA'],
      rates: since(TABLES_FROM, '7.25'),
    },
    {
      jurisdiction: 'US-NY',
      name: 'New York state sales tax',
      country: 'US',
      states: ['NY'],
      rates: since(TABLES_FROM, '4'),
    },
    {
      jurisdiction: 'US-NY-NYC',
      name: 'New York City local sales tax',
      country: 'US',
      states: ['NY'],
      // Manhattan, Staten Island, the Bronx, Brooklyn and Queens.
      postalPrefixes: ['100', '101', '102', '103', '104', '111', '112', '113', '114', '116'],
      rates: since(TABLES_FROM, '4.5'),
    },
    {
      jurisdiction: 'US-WA',
      name: 'Washington state sales tax',
      country: 'US',
      states: ['WA'],
      rates: since(TABLES_FROM, '6.5'),
    },
    {
      jurisdiction: 'US-WA-SEATTLE',
      name: 'Seattle local sales tax',
      country: 'US',
      states: ['WA'],
      cities: ['Seattle'],
      rates: [
        { from: TABLES_FROM, to: '2025-03-31', ppm: pct('3.75') },
        { from: '2025-04-01', ppm: pct('3.85') },
      ],
    },
    {
      jurisdiction: 'US-FL',
      name: 'Florida communications services tax',
      country: 'US',
      states: ['FL'],
      rates: since(TABLES_FROM, '7.44'),
    },
    {
      jurisdiction: 'US-IL',
      name: 'Illinois telecommunications excise tax',
      country: 'US',
      states: ['IL'],
      rates: since(TABLES_FROM, '7'),
    },

    // ---- Canada: GST where there is no HST, HST, and the provincial PST/RST/QST ----
    {
      jurisdiction: 'CA-GST',
      name: 'GST',
      country: 'CA',
      states: ['AB', 'BC', 'MB', 'QC', 'SK', 'NT', 'NU', 'YT'],
      rates: since(TABLES_FROM, '5'),
    },
    {
      jurisdiction: 'CA-ON-HST',
      name: 'Ontario HST',
      country: 'CA',
      states: ['ON'],
      rates: since(TABLES_FROM, '13'),
    },
    {
      jurisdiction: 'CA-NS-HST',
      name: 'Nova Scotia HST',
      country: 'CA',
      states: ['NS'],
      // Nova Scotia lowered its HST to 14% from 1 April 2025.
      rates: [
        { from: TABLES_FROM, to: '2025-03-31', ppm: pct('15') },
        { from: '2025-04-01', ppm: pct('14') },
      ],
    },
    {
      jurisdiction: 'CA-NB-HST',
      name: 'New Brunswick HST',
      country: 'CA',
      states: ['NB'],
      rates: since(TABLES_FROM, '15'),
    },
    {
      jurisdiction: 'CA-NL-HST',
      name: 'Newfoundland and Labrador HST',
      country: 'CA',
      states: ['NL'],
      rates: since(TABLES_FROM, '15'),
    },
    {
      jurisdiction: 'CA-PE-HST',
      name: 'Prince Edward Island HST',
      country: 'CA',
      states: ['PE'],
      rates: since(TABLES_FROM, '15'),
    },
    {
      jurisdiction: 'CA-BC-PST',
      name: 'British Columbia PST',
      country: 'CA',
      states: ['BC'],
      rates: since(TABLES_FROM, '7'),
    },
    {
      jurisdiction: 'CA-SK-PST',
      name: 'Saskatchewan PST',
      country: 'CA',
      states: ['SK'],
      rates: since(TABLES_FROM, '6'),
    },
    {
      jurisdiction: 'CA-MB-RST',
      name: 'Manitoba RST',
      country: 'CA',
      states: ['MB'],
      rates: since(TABLES_FROM, '7'),
    },
    // QST is computed on the price before GST (not on GST), so it is a separate line on the same base.
    {
      jurisdiction: 'CA-QC-QST',
      name: 'Quebec QST',
      country: 'CA',
      states: ['QC'],
      rates: since(TABLES_FROM, '9.975'),
    },

    // ---- Mexico: IVA on the whole invoice, every state ----
    { jurisdiction: 'MX-IVA', name: 'IVA', country: 'MX', rates: since(TABLES_FROM, '16') },
  ],
};
