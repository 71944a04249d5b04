import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatMoney } from '../../kernel/index.ts';
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
