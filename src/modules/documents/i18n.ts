import {
  type CalendarDate,
  LINE_TEXT,
  type NumberChange,
  dateParts,
  formatMoney,
  minorDigits,
  readLineText,
} from '../../kernel/index.ts';
import type { InvoiceKind, LineGroup } from './view.ts';

/**
 * POR-3: invoice documents speak English, Spanish and Portuguese, with money and dates in the
 * account's locale. The language comes from the locale (en-US, en-CA → en; es-MX → es; pt-BR →
 * pt); a locale whose language has no labels yet (fr-CA) falls back to English *and* formats in
 * English for the same region (en-CA), so a document never mixes English words with French
 * number and date formats.
 */
export type Language = 'en' | 'es' | 'pt';

export const LANGUAGES: readonly Language[] = ['en', 'es', 'pt'];

export interface DocumentLabels {
  invoiceTitle: string;
  creditNoteTitle: string;
  kindSubtitle: Record<Exclude<InvoiceKind, 'monthly'>, string>;
  monthlySubtitle: (month: string) => string;
  continued: string;
  /** RUN-12: on a document staff voided, and what it means for the reader. */
  voided: string;
  voidedNote: string;
  invoiceNumber: string;
  invoiceDate: string;
  sentOn: string;
  dueDate: string;
  accountNumber: string;
  currency: string;
  poNumber: string;
  /** RUN-12: the voided invoice a reissued one replaces, and the other way. */
  replaces: string;
  replacedBy: string;
  billingMonth: string;
  billTo: string;
  description: string;
  quantity: string;
  rate: string;
  amount: string;
  groups: Record<LineGroup, string>;
  /** '(11/31 days)' after a prorated period. */
  proratedDays: (days: number, of: number) => string;
  minutesUnit: string;
  perMinute: string;
  subtotal: string;
  regulatoryFees: string;
  taxes: string;
  total: string;
  previousBalance: string;
  paymentsAndCredits: string;
  amountDue: string;
  howToPay: string;
  quoteInvoiceNumber: (number: string) => string;
  byCheque: string;
  payableTo: string;
  mailTo: string;
  overnightCourier: string;
  byAch: string;
  byBankTransfer: string;
  bank: string;
  accountName: string;
  bankAccountNumber: string;
  routingNumber: string;
  clabe: string;
  swift: string;
  speiReference: string;
  questions: (email: string) => string;
  page: (page: number, pages: number) => string;
  /** The line descriptions Tollbooth writes itself (kernel LINE_TEXT), in this language. */
  lines: LineTexts;
}

export interface LineTexts {
  planMinutes: string;
  overageMinutes: string;
  lowUsageMinutes: (included: number) => string;
  /** After a usage line of calls that arrived after their month was invoiced: 'January 2026'. */
  lateCalls: (month: string) => string;
  numberChange: (change: NumberChange, number: string) => string;
  /** The USF line's portion: '… 36.2% × 64.9% interstate'. */
  interstate: string;
}

const EN: DocumentLabels = {
  invoiceTitle: 'INVOICE',
  creditNoteTitle: 'CREDIT NOTE',
  kindSubtitle: {
    one_time: 'One-time charges',
    rental: 'Equipment rental',
    credit_note: 'Credit note',
  },
  monthlySubtitle: (month) => `Monthly service · ${month}`,
  continued: 'continued',
  voided: 'VOID',
  voidedNote: 'Nothing on this document is to be paid.',
  invoiceNumber: 'Invoice number',
  invoiceDate: 'Invoice date',
  sentOn: 'Sent on',
  dueDate: 'Due date',
  accountNumber: 'Account number',
  currency: 'Currency',
  poNumber: 'PO number',
  replaces: 'Replaces invoice',
  replacedBy: 'Replaced by invoice',
  billingMonth: 'Billing month',
  billTo: 'Bill to',
  description: 'Description',
  quantity: 'Qty',
  rate: 'Rate',
  amount: 'Amount',
  groups: {
    service_fee: 'Service fees',
    standard_numbers: 'Standard numbers',
    partial_charges: 'Prorated partial charges',
    contact_center: 'Contact center',
    rental: 'Equipment rental',
    circuit: 'Circuits',
    one_time: 'One-time charges',
    usage: 'Calls and minutes',
    fees: 'Regulatory fees',
    taxes: 'Taxes',
    other: 'Other charges',
  },
  proratedDays: (days, of) => `(${days}/${of} days)`,
  minutesUnit: 'min',
  perMinute: '/min',
  subtotal: 'Subtotal',
  regulatoryFees: 'Regulatory fees',
  taxes: 'Taxes',
  total: 'Total this invoice',
  previousBalance: 'Previous balance',
  paymentsAndCredits: 'Payments and credits received',
  amountDue: 'AMOUNT DUE',
  howToPay: 'How to pay',
  quoteInvoiceNumber: (n) => `Please quote invoice number ${n} with your payment.`,
  byCheque: 'By cheque',
  payableTo: 'Payable to',
  mailTo: 'Mail to',
  overnightCourier: 'Overnight courier',
  byAch: 'By ACH',
  byBankTransfer: 'By bank transfer',
  bank: 'Bank',
  accountName: 'Account name',
  bankAccountNumber: 'Account number',
  routingNumber: 'Routing number',
  clabe: 'CLABE',
  swift: 'SWIFT',
  speiReference: 'SPEI/TEF reference',
  questions: (email) => `Questions about this invoice? ${email}`,
  page: (page, pages) => `Page ${page} of ${pages}`,
  lines: {
    planMinutes: LINE_TEXT.planMinutes,
    overageMinutes: LINE_TEXT.overageMinutes,
    lowUsageMinutes: LINE_TEXT.lowUsageMinutes,
    lateCalls: (month) => `(calls of ${month})`,
    numberChange: LINE_TEXT.numberChange,
    interstate: 'interstate',
  },
};

/** American English writes "check". */
const EN_US: DocumentLabels = { ...EN, byCheque: 'By check' };

const ES: DocumentLabels = {
  invoiceTitle: 'FACTURA',
  creditNoteTitle: 'NOTA DE CRÉDITO',
  kindSubtitle: {
    one_time: 'Cargos únicos',
    rental: 'Renta de equipos',
    credit_note: 'Nota de crédito',
  },
  monthlySubtitle: (month) => `Servicio mensual · ${month}`,
  continued: 'continuación',
  voided: 'ANULADA',
  voidedNote: 'No se debe pagar nada de este documento.',
  invoiceNumber: 'Número de factura',
  invoiceDate: 'Fecha de factura',
  sentOn: 'Fecha de envío',
  dueDate: 'Fecha de vencimiento',
  accountNumber: 'Número de cuenta',
  currency: 'Moneda',
  poNumber: 'Orden de compra',
  replaces: 'Sustituye a la factura',
  replacedBy: 'Sustituida por la factura',
  billingMonth: 'Mes facturado',
  billTo: 'Facturar a',
  description: 'Descripción',
  quantity: 'Cant.',
  rate: 'Precio unitario',
  amount: 'Importe',
  groups: {
    service_fee: 'Cargos por servicio',
    standard_numbers: 'Números estándar',
    partial_charges: 'Cargos parciales prorrateados',
    contact_center: 'Centro de contacto',
    rental: 'Renta de equipos',
    circuit: 'Circuitos',
    one_time: 'Cargos únicos',
    usage: 'Llamadas y minutos',
    fees: 'Cargos regulatorios',
    taxes: 'Impuestos',
    other: 'Otros cargos',
  },
  proratedDays: (days, of) => `(${days}/${of} días)`,
  minutesUnit: 'min',
  perMinute: '/min',
  subtotal: 'Subtotal',
  regulatoryFees: 'Cargos regulatorios',
  taxes: 'Impuestos',
  total: 'Total de esta factura',
  previousBalance: 'Saldo anterior',
  paymentsAndCredits: 'Pagos y créditos recibidos',
  amountDue: 'IMPORTE A PAGAR',
  howToPay: 'Cómo pagar',
  quoteInvoiceNumber: (n) => `Indique el número de factura ${n} en su pago.`,
  byCheque: 'Con cheque',
  payableTo: 'A nombre de',
  mailTo: 'Enviar a',
  overnightCourier: 'Mensajería al día siguiente',
  byAch: 'Por ACH',
  byBankTransfer: 'Por transferencia bancaria',
  bank: 'Banco',
  accountName: 'Titular',
  bankAccountNumber: 'Número de cuenta',
  routingNumber: 'Número de ruta (ABA)',
  clabe: 'CLABE',
  swift: 'SWIFT',
  speiReference: 'Referencia SPEI/TEF',
  questions: (email) => `¿Dudas sobre esta factura? ${email}`,
  page: (page, pages) => `Página ${page} de ${pages}`,
  lines: {
    planMinutes: 'Minutos del plan (incluidos)',
    overageMinutes: 'Minutos excedentes salientes',
    lowUsageMinutes: (n) => `Minutos de dispositivos de bajo uso más allá de los ${n} incluidos`,
    lateCalls: (month) => `(llamadas de ${month})`,
    numberChange: (change, n) =>
      `Cambio ${{ callerId: 'del identificador de llamadas', e911: 'de la dirección E911', callerIdAndE911: 'del identificador de llamadas y de la dirección E911' }[change]} de ${n}`,
    interstate: 'interestatal',
  },
};

const PT: DocumentLabels = {
  invoiceTitle: 'FATURA',
  creditNoteTitle: 'NOTA DE CRÉDITO',
  kindSubtitle: {
    one_time: 'Cobranças avulsas',
    rental: 'Aluguel de equipamentos',
    credit_note: 'Nota de crédito',
  },
  monthlySubtitle: (month) => `Serviço mensal · ${month}`,
  continued: 'continuação',
  voided: 'CANCELADA',
  voidedNote: 'Nada deste documento deve ser pago.',
  invoiceNumber: 'Número da fatura',
  invoiceDate: 'Data da fatura',
  sentOn: 'Data de envio',
  dueDate: 'Vencimento',
  accountNumber: 'Número da conta',
  currency: 'Moeda',
  poNumber: 'Pedido de compra',
  replaces: 'Substitui a fatura',
  replacedBy: 'Substituída pela fatura',
  billingMonth: 'Mês de referência',
  billTo: 'Faturar para',
  description: 'Descrição',
  quantity: 'Qtd.',
  rate: 'Preço unitário',
  amount: 'Valor',
  groups: {
    service_fee: 'Tarifas de serviço',
    standard_numbers: 'Números padrão',
    partial_charges: 'Cobranças parciais proporcionais',
    contact_center: 'Central de atendimento',
    rental: 'Aluguel de equipamentos',
    circuit: 'Circuitos',
    one_time: 'Cobranças avulsas',
    usage: 'Chamadas e minutos',
    fees: 'Taxas regulatórias',
    taxes: 'Impostos',
    other: 'Outras cobranças',
  },
  proratedDays: (days, of) => `(${days}/${of} dias)`,
  minutesUnit: 'min',
  perMinute: '/min',
  subtotal: 'Subtotal',
  regulatoryFees: 'Taxas regulatórias',
  taxes: 'Impostos',
  total: 'Total desta fatura',
  previousBalance: 'Saldo anterior',
  paymentsAndCredits: 'Pagamentos e créditos recebidos',
  amountDue: 'VALOR A PAGAR',
  howToPay: 'Como pagar',
  quoteInvoiceNumber: (n) => `Informe o número da fatura ${n} no pagamento.`,
  byCheque: 'Com cheque',
  payableTo: 'Nominal a',
  mailTo: 'Enviar para',
  overnightCourier: 'Entrega expressa',
  byAch: 'Por ACH',
  byBankTransfer: 'Por transferência bancária',
  bank: 'Banco',
  accountName: 'Titular',
  bankAccountNumber: 'Número da conta',
  routingNumber: 'Número de roteamento (ABA)',
  clabe: 'CLABE',
  swift: 'SWIFT',
  speiReference: 'Referência SPEI/TEF',
  questions: (email) => `Dúvidas sobre esta fatura? ${email}`,
  page: (page, pages) => `Página ${page} de ${pages}`,
  lines: {
    planMinutes: 'Minutos do plano (incluídos)',
    overageMinutes: 'Minutos excedentes de saída',
    lowUsageMinutes: (n) => `Minutos de dispositivos de baixo uso além dos ${n} incluídos`,
    lateCalls: (month) => `(chamadas de ${month})`,
    numberChange: (change, n) =>
      `Alteração ${{ callerId: 'do identificador de chamadas', e911: 'do endereço E911', callerIdAndE911: 'do identificador de chamadas e do endereço E911' }[change]} de ${n}`,
    interstate: 'interestadual',
  },
};

const LABELS: Record<Language, DocumentLabels> = { en: EN, es: ES, pt: PT };

export interface DocumentLocale {
  language: Language;
  /** The BCP 47 locale that money, numbers and dates are formatted in. */
  formatLocale: string;
}

/** en-US → en/en-US, es-MX → es/es-MX, pt-BR → pt/pt-BR, fr-CA → en/en-CA, junk → en/en-US. */
export function documentLocale(locale: string): DocumentLocale {
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(locale)[0] ?? 'en-US';
  } catch {
    canonical = 'en-US';
  }
  const parsed = new Intl.Locale(canonical);
  const language = LANGUAGES.find((l) => l === parsed.language);
  if (language) return { language, formatLocale: canonical };
  return { language: 'en', formatLocale: parsed.region ? `en-${parsed.region}` : 'en-US' };
}

export function languageOf(locale: string): Language {
  return documentLocale(locale).language;
}

export function labelsFor(locale: string): DocumentLabels {
  const { language, formatLocale } = documentLocale(locale);
  return formatLocale === 'en-US' ? EN_US : LABELS[language];
}

// ---- formats ----------------------------------------------------------------------------------

export type DateStyle = 'long' | 'numeric';

/** Everything a document formats, for one locale and currency; see documentFormats. */
export interface DocumentFormats {
  language: Language;
  locale: string;
  currency: string;
  labels: DocumentLabels;
  /** Minor units, through the kernel's formatMoney: '$1,234.50', '1.234,50 US$'. */
  money(minor: number): string;
  /** A per-minute rate in millionths of the major unit: '$0.0125'. */
  rate(micros: number): string;
  quantity(n: number): string;
  /** Billed seconds as minutes, for display only: '1,234.5'. */
  minutes(seconds: number): string;
  date(date: CalendarDate, style?: DateStyle): string;
  /** 'September 2026' for '2026-09'. */
  month(month: string): string;
  /** 'Aug 20 – 31, 2026' (the locale decides what repeats). */
  period(start: CalendarDate, end: CalendarDate): string;
  /**
   * A line's description as this document says it: Tollbooth's own words translated, data as is.
   * `feeOrTax`: a regulatory fee or tax line, whose rate is written in the locale's way ('6,25 %').
   */
  line(description: string, feeOrTax?: boolean): string;
}

const MEMO_LIMIT = 4096;

/** A bounded memo: cleared when full, which keeps it cheap and its memory flat. */
function remember<K>(memo: Map<K, string>, key: K, make: () => string): string {
  let text = memo.get(key);
  if (text === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    text = make();
    memo.set(key, text);
  }
  return text;
}

/** A calendar date as its UTC midnight instant, so formatting in UTC shows that same date. */
export function utcMidnight(date: CalendarDate): Date {
  const p = dateParts(date);
  return new Date(Date.UTC(p.year, p.month - 1, p.day));
}

/**
 * A rate in millionths of the major unit (RATE_SCALE) as an exact decimal string with at least
 * the currency's decimals: 12_500 USD → "0.0125", 20_000 → "0.02".
 */
export function rateDecimal(micros: number, currency: string): string {
  return millionthsDecimal(micros, minorDigits(currency));
}

/**
 * Millionths as an exact decimal string with at least `minDigits` decimals: 12_500 → "0.0125";
 * a rate in millionths of a currency unit, or a percentage in parts per million as a fraction.
 */
function millionthsDecimal(micros: number, minDigits: number): string {
  const negative = micros < 0;
  const s = String(Math.abs(micros)).padStart(7, '0');
  let frac = s.slice(-6).replace(/0+$/, '');
  if (frac.length < minDigits) frac = frac.padEnd(minDigits, '0');
  return (negative ? '-' : '') + s.slice(0, -6) + (frac ? '.' + frac : '');
}

function createFormats(locale: string, currency: string): DocumentFormats {
  const { language, formatLocale } = documentLocale(locale);
  const digits = minorDigits(currency);
  const longDate = new Intl.DateTimeFormat(formatLocale, { timeZone: 'UTC', dateStyle: 'long' });
  const numericDate = new Intl.DateTimeFormat(formatLocale, {
    timeZone: 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const monthYear = new Intl.DateTimeFormat(formatLocale, {
    timeZone: 'UTC',
    month: 'long',
    year: 'numeric',
  });
  const shortDate = new Intl.DateTimeFormat(formatLocale, {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
  const integer = new Intl.NumberFormat(formatLocale, { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat(formatLocale, { maximumFractionDigits: 2 });
  // Rates of fees and taxes: at most four decimals of a percent (parts per million), exactly.
  const percentFormat = new Intl.NumberFormat(formatLocale, { style: 'percent', maximumFractionDigits: 4 });
  // Intl's percent style reads a fraction: 62_500 ppm is "0.0625".
  const percent = (ppm: number) => percentFormat.format(millionthsDecimal(ppm, 0) as unknown as number);
  const rateFormat = new Intl.NumberFormat(formatLocale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: 6,
  });
  // formatMoney builds an Intl formatter per call and Intl date formatting is slow too; documents
  // print the same amounts (unit prices, totals) and dates again and again, so strings are kept.
  const moneyMemo = new Map<number, string>();
  const dates = new Map<string, string>();
  const descriptions = new Map<string, string>();
  const labels = labelsFor(locale);
  const month = (m: string) => remember(dates, m, () => monthYear.format(utcMidnight(`${m}-01`)));
  return {
    language,
    locale: formatLocale,
    currency,
    labels,
    money: (minor) => remember(moneyMemo, minor, () => formatMoney(minor, currency, formatLocale)),
    // Intl formats a decimal string exactly, as formatMoney does: no float ever holds the rate.
    rate: (micros) => rateFormat.format(rateDecimal(micros, currency) as unknown as number),
    quantity: (n) => (Number.isInteger(n) ? integer.format(n) : decimal.format(n)),
    minutes: (seconds) => decimal.format(seconds / 60),
    date: (date, style = 'long') =>
      remember(dates, `${style}|${date}`, () =>
        (style === 'long' ? longDate : numericDate).format(utcMidnight(date)),
      ),
    month,
    period: (start, end) =>
      remember(dates, `${start}|${end}`, () =>
        start === end
          ? shortDate.format(utcMidnight(start))
          : shortDate.formatRange(utcMidnight(start), utcMidnight(end)),
      ),
    line: (description, feeOrTax = false) =>
      remember(descriptions, `${feeOrTax ? 'r' : 'd'}|${description}`, () =>
        sayLine(description, feeOrTax, labels.lines, month, percent),
      ),
  };
}

/** A stored description in the document's language (readLineText tells Tollbooth's words from data). */
function sayLine(
  description: string,
  feeOrTax: boolean,
  say: LineTexts,
  month: (m: string) => string,
  percent: (ppm: number) => string,
): string {
  const { text, lateMonth } = readLineText(description, feeOrTax);
  let base: string;
  switch (text.key) {
    case 'planMinutes':
      base = say.planMinutes;
      break;
    case 'overageMinutes':
      base = say.overageMinutes;
      break;
    case 'lowUsageMinutes':
      base = say.lowUsageMinutes(text.included);
      break;
    case 'numberChange':
      base = say.numberChange(text.change, text.number);
      break;
    case 'atRate':
      base = `${text.name} ${percent(text.ppm)}`;
      break;
    case 'usf':
      base = `${text.label} ${percent(text.recoveredPpm)} × ${percent(text.safeHarbourPpm)} ${say.interstate}`;
      break;
    case 'data':
      base = text.text;
  }
  return lateMonth === null ? base : `${base} ${say.lateCalls(month(lateMonth))}`;
}

const formatsCache = new Map<string, DocumentFormats>();

/** The formats for a locale and currency; built once per pair, since Intl formatters are costly. */
export function documentFormats(locale: string, currency: string): DocumentFormats {
  const key = `${locale}|${currency}`;
  let formats = formatsCache.get(key);
  if (!formats) {
    formats = createFormats(locale, currency);
    formatsCache.set(key, formats);
  }
  return formats;
}
