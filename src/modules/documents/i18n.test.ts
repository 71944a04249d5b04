import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LINE_TEXT, formatMoney, readLineText } from '../../kernel/index.ts';
import { LINE_GROUP_ORDER, documentFormats, documentLocale, labelsFor, languageOf } from './index.ts';
import { rateDecimal } from './i18n.ts';

describe('document languages', () => {
  test('the language follows the account locale; French falls back to English', () => {
    assert.deepEqual(['en-US', 'en-CA', 'es-MX', 'es-ES', 'pt-BR', 'fr-CA', 'not a locale'].map(languageOf), [
      'en',
      'en',
      'es',
      'es',
      'pt',
      'en',
      'en',
    ]);
    assert.deepEqual(documentLocale('fr-CA'), { language: 'en', formatLocale: 'en-CA' });
    assert.deepEqual(documentLocale('pt-BR'), { language: 'pt', formatLocale: 'pt-BR' });
  });

  test('every section has a title in every language', () => {
    for (const locale of ['en-US', 'es-MX', 'pt-BR']) {
      const labels = labelsFor(locale);
      for (const g of LINE_GROUP_ORDER) assert.ok(labels.groups[g].length > 0, `${locale} ${g}`);
    }
    assert.equal(labelsFor('en-US').groups.service_fee, 'Service fees');
    assert.equal(labelsFor('es-MX').groups.service_fee, 'Cargos por servicio');
    assert.equal(labelsFor('pt-BR').groups.service_fee, 'Tarifas de serviço');
    assert.equal(labelsFor('en-US').byCheque, 'By check');
    assert.equal(labelsFor('en-CA').byCheque, 'By cheque');
  });
});

describe('document formats', () => {
  test('money goes through the kernel with the account locale', () => {
    for (const [locale, currency] of [
      ['en-US', 'USD'],
      ['es-MX', 'MXN'],
      ['pt-BR', 'BRL'],
      ['pt-BR', 'USD'],
    ] as const) {
      const f = documentFormats(locale, currency);
      for (const minor of [0, 5, 123_456, -98_765]) {
        assert.equal(f.money(minor), formatMoney(minor, currency, locale));
        assert.equal(f.money(minor), formatMoney(minor, currency, locale), 'memoised the same');
      }
    }
    assert.equal(documentFormats('pt-BR', 'BRL').money(123_450).replace(/\s/g, ' '), 'R$ 1.234,50');
  });

  test('calendar dates never shift with the process time zone', () => {
    const saved = process.env.TZ;
    try {
      for (const tz of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/Denver']) {
        process.env.TZ = tz;
        assert.equal(documentFormats('en-US', 'USD').date('2026-01-01'), 'January 1, 2026');
        assert.equal(documentFormats('es-MX', 'MXN').date('2026-12-31'), '31 de diciembre de 2026');
        assert.equal(documentFormats('pt-BR', 'USD').date('2024-02-29'), '29 de fevereiro de 2024');
        assert.equal(documentFormats('es-MX', 'MXN').date('2026-09-16', 'numeric'), '16/09/2026');
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  test('months, periods, quantities and per-minute rates', () => {
    const en = documentFormats('en-US', 'USD');
    assert.equal(en.month('2026-09'), 'September 2026');
    assert.equal(en.period('2026-08-20', '2026-08-31').replace(/\s/g, ' '), 'Aug 20 – 31, 2026');
    assert.equal(en.quantity(1234), '1,234');
    assert.equal(en.minutes(75_030), '1,250.5');
    assert.equal(en.rate(12_500), '$0.0125');
    assert.equal(en.rate(20_000), '$0.02');
    assert.equal(documentFormats('pt-BR', 'BRL').rate(12_500).replace(/\s/g, ' '), 'R$ 0,0125');
    assert.equal(documentFormats('es-MX', 'MXN').month('2026-09'), 'septiembre de 2026');
  });

  test('rates are exact decimals from millionths', () => {
    assert.equal(rateDecimal(12_500, 'USD'), '0.0125');
    assert.equal(rateDecimal(20_000, 'USD'), '0.02');
    assert.equal(rateDecimal(1_000_000, 'USD'), '1.00');
    assert.equal(rateDecimal(1, 'USD'), '0.000001');
    assert.equal(rateDecimal(-350_000, 'MXN'), '-0.35');
    assert.equal(rateDecimal(7, 'JPY'), '0.000007');
    assert.equal(rateDecimal(3_000_000, 'JPY'), '3');
  });
});

describe("line descriptions Tollbooth writes itself, in the document's language", () => {
  const written = [
    LINE_TEXT.planMinutes,
    LINE_TEXT.overageMinutes,
    LINE_TEXT.lowUsageMinutes(50),
    LINE_TEXT.lateCalls(LINE_TEXT.overageMinutes, '2026-01'),
    LINE_TEXT.lateCalls('International minutes — Mexico (mobile)', '2025-12'),
    LINE_TEXT.numberChange('callerId', '+15125550100'),
    LINE_TEXT.numberChange('e911', '+15125550100'),
    LINE_TEXT.numberChange('callerIdAndE911', '+15125550100'),
    'Desk phone service',
  ];

  test('each is read back as what it says, data as it is', () => {
    assert.deepEqual(
      written.map((d) => readLineText(d)),
      [
        { text: { key: 'planMinutes' }, lateMonth: null },
        { text: { key: 'overageMinutes' }, lateMonth: null },
        { text: { key: 'lowUsageMinutes', included: 50 }, lateMonth: null },
        { text: { key: 'overageMinutes' }, lateMonth: '2026-01' },
        { text: { key: 'data', text: 'International minutes — Mexico (mobile)' }, lateMonth: '2025-12' },
        { text: { key: 'numberChange', change: 'callerId', number: '+15125550100' }, lateMonth: null },
        { text: { key: 'numberChange', change: 'e911', number: '+15125550100' }, lateMonth: null },
        { text: { key: 'numberChange', change: 'callerIdAndE911', number: '+15125550100' }, lateMonth: null },
        { text: { key: 'data', text: 'Desk phone service' }, lateMonth: null },
      ],
    );
  });

  test('English documents say them as written (late months by name); Spanish and Portuguese ones translate them', () => {
    const say = (locale: string) => written.map((d) => documentFormats(locale, 'USD').line(d));
    assert.deepEqual(say('en-US'), [
      'Plan minutes (included)',
      'Outbound overage minutes',
      'Low-usage device minutes beyond the 50 included',
      'Outbound overage minutes (calls of January 2026)',
      'International minutes — Mexico (mobile) (calls of December 2025)',
      'Change of caller ID for +15125550100',
      'Change of E911 address for +15125550100',
      'Change of caller ID and E911 address for +15125550100',
      'Desk phone service',
    ]);
    assert.deepEqual(say('es-MX'), [
      'Minutos del plan (incluidos)',
      'Minutos excedentes salientes',
      'Minutos de dispositivos de bajo uso más allá de los 50 incluidos',
      'Minutos excedentes salientes (llamadas de enero de 2026)',
      'International minutes — Mexico (mobile) (llamadas de diciembre de 2025)',
      'Cambio del identificador de llamadas de +15125550100',
      'Cambio de la dirección E911 de +15125550100',
      'Cambio del identificador de llamadas y de la dirección E911 de +15125550100',
      'Desk phone service',
    ]);
    assert.deepEqual(say('pt-BR'), [
      'Minutos do plano (incluídos)',
      'Minutos excedentes de saída',
      'Minutos de dispositivos de baixo uso além dos 50 incluídos',
      'Minutos excedentes de saída (chamadas de janeiro de 2026)',
      'International minutes — Mexico (mobile) (chamadas de dezembro de 2025)',
      'Alteração do identificador de chamadas de +15125550100',
      'Alteração do endereço E911 de +15125550100',
      'Alteração do identificador de chamadas e do endereço E911 de +15125550100',
      'Desk phone service',
    ]);
  });

  // Fee and tax names are data; the rate after them is Tollbooth's, written in the locale's way.
  const rated = [
    LINE_TEXT.atRate('Texas state sales tax', 62_500),
    LINE_TEXT.atRate('Quebec QST', 99_750),
    LINE_TEXT.atRate('IVA', 160_000),
    LINE_TEXT.atRate('State regulatory recovery fee Texas', 1),
    LINE_TEXT.usf('Federal USF recovery', 362_000, 649_000),
  ];

  test('fee and tax lines are read back as their name and rate; only those lines', () => {
    assert.deepEqual(
      rated.map((d) => readLineText(d, true).text),
      [
        { key: 'atRate', name: 'Texas state sales tax', ppm: 62_500 },
        { key: 'atRate', name: 'Quebec QST', ppm: 99_750 },
        { key: 'atRate', name: 'IVA', ppm: 160_000 },
        { key: 'atRate', name: 'State regulatory recovery fee Texas', ppm: 1 },
        { key: 'usf', label: 'Federal USF recovery', recoveredPpm: 362_000, safeHarbourPpm: 649_000 },
      ],
    );
    // A charge named with a percentage is data, on any document.
    assert.deepEqual(readLineText('Promo bundle 12.5%').text, { key: 'data', text: 'Promo bundle 12.5%' });
    assert.equal(documentFormats('es-ES', 'EUR').line('Promo bundle 12.5%'), 'Promo bundle 12.5%');
    // A fee line Tollbooth did not write (an adjustment typed by staff) is printed as it is.
    assert.deepEqual(readLineText('USF adjustment', true).text, { key: 'data', text: 'USF adjustment' });
  });

  test("their rates are printed in the locale's way, English as stored", () => {
    const say = (locale: string) => rated.map((d) => documentFormats(locale, 'USD').line(d, true));
    assert.deepEqual(say('en-US'), rated);
    assert.deepEqual(say('es-MX'), [
      'Texas state sales tax 6.25%',
      'Quebec QST 9.975%',
      'IVA 16%',
      'State regulatory recovery fee Texas 0.0001%',
      'Federal USF recovery 36.2% × 64.9% interestatal',
    ]);
    assert.deepEqual(say('es-ES'), [
      'Texas state sales tax 6,25\u00a0%',
      'Quebec QST 9,975\u00a0%',
      'IVA 16\u00a0%',
      'State regulatory recovery fee Texas 0,0001\u00a0%',
      'Federal USF recovery 36,2\u00a0% × 64,9\u00a0% interestatal',
    ]);
    assert.deepEqual(say('pt-BR'), [
      'Texas state sales tax 6,25%',
      'Quebec QST 9,975%',
      'IVA 16%',
      'State regulatory recovery fee Texas 0,0001%',
      'Federal USF recovery 36,2% × 64,9% interestadual',
    ]);
  });
});
